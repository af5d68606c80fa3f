// A turn's answer put together from its events, as a non-streamed route answers before the turn is stored: the
// same text, tool calls and usage as the run's result.
import { describe, expect, it } from 'vitest';
import { AnswerAssembly } from '../../domain/chat/answer-assembly.js';
import type { AnswerDoneEventData, ChatEvent } from '../../domain/chat/events.js';

const done: AnswerDoneEventData = { workflowId: 'wf', conversationId: 'c', model: 'm2', usage: { promptTokens: 3, completionTokens: 4 }, citations: 0, temporalUiUrl: 'http://ui' };

function assembled(events: Omit<ChatEvent, 'seq'>[]): AnswerAssembly {
  const assembly = new AnswerAssembly();
  events.forEach((event, index) => assembly.add({ ...event, seq: index + 1 } as ChatEvent));
  return assembly;
}

describe('AnswerAssembly', () => {
  it('places deltas at their offsets (text written again after a restore replaces, not repeats) and takes model and usage from answer.done', () => {
    const assembly = assembled([
      { type: 'model.selected', data: { model: 'm1', reason: 'r', fallbacks: [] } },
      { type: 'answer.delta', data: { text: 'Hello', offset: 0 } },
      { type: 'answer.delta', data: { text: ' wor', offset: 5 } },
      { type: 'answer.delta', data: { text: ' world', offset: 5 } },
      { type: 'answer.logprobs', data: { content: null, withheld: 'redacted' } },
    ]);
    expect(assembly.done(done)).toEqual({ outcome: 'completed', answer: 'Hello world', model: 'm2', usage: done.usage, logprobs: { content: null, withheld: 'redacted' } });
  });

  it('joins tool-call fragments by index and offset, and takes the kept answer and arguments from answer.done', () => {
    const events: Omit<ChatEvent, 'seq'>[] = [
      { type: 'answer.delta', data: { text: 'Calling.\n[1] a list', offset: 0 } },
      { type: 'answer.tool_call', data: { index: 0, id: 'call_1', name: 'mail', arguments: '{"to":', offset: 0 } },
      { type: 'answer.tool_call', data: { index: 1, id: 'call_2', name: 'weather', arguments: '{}', offset: 0 } },
      { type: 'answer.tool_call', data: { index: 0, arguments: '"x"}', offset: 6 } },
    ];
    const toolCalls = [
      { id: 'call_1', type: 'function', function: { name: 'mail', arguments: '{"to":"x"}' } },
      { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{}' } },
    ];
    expect(assembled(events).done(done)).toEqual({ outcome: 'completed', answer: 'Calling.\n[1] a list', model: 'm2', usage: done.usage, toolCalls });
    const kept = assembled(events).done({ ...done, answer: 'Calling.', toolArguments: ['{"to":"[redacted:email]"}', '{}'] });
    expect(kept.answer).toBe('Calling.');
    expect(kept.toolCalls!.map((call) => call.function.arguments)).toEqual(['{"to":"[redacted:email]"}', '{}']);
  });
});
