// A turn's answer put together from its events, for a client that is answered in one piece: the text from the
// answer.delta events at their offsets, the client tool calls from their answer.tool_call fragments, the log
// probabilities; then answer.done's kept answer and tool-call arguments (what the whole-answer check changed)
// replace what was streamed. The same answer the run returns, without waiting for the run to end.
import type { AnswerDoneEventData, AnswerLogprobsEventData, ChatEvent } from './events.js';
import type { ToolCallRequest } from './model-request.js';
import type { ChatTurnResult } from './chat-request.js';

/** What a route that answers in one piece reads of a finished turn. */
export type FinalAnswer = Pick<ChatTurnResult, 'outcome' | 'answer' | 'model' | 'usage' | 'toolCalls'> & {
  /** The answer's log probabilities, when generate published them. */
  logprobs?: AnswerLogprobsEventData;
};

export class AnswerAssembly {
  private text = '';
  private readonly calls: ToolCallRequest[] = [];
  private logprobs: AnswerLogprobsEventData | undefined;

  /** Takes in one event of the run, in order; events that do not shape the answer are ignored. */
  add(event: ChatEvent): void {
    if (event.type === 'answer.delta') {
      this.text = this.text.slice(0, event.data.offset) + event.data.text;
    } else if (event.type === 'answer.tool_call') {
      const { index, id, name, offset, arguments: fragment } = event.data;
      const call = this.calls[index] ??= { id: id ?? '', type: 'function', function: { name: name ?? '', arguments: '' } };
      call.function.arguments = call.function.arguments.slice(0, offset) + fragment;
    } else if (event.type === 'answer.logprobs') {
      this.logprobs = event.data;
    }
  }

  /** The answer once answer.done arrived. */
  done(data: AnswerDoneEventData): FinalAnswer {
    const toolCalls = this.calls.map((call, index) => ({ ...call, function: { ...call.function, arguments: data.toolArguments?.[index] ?? call.function.arguments } }));
    return {
      outcome: 'completed',
      answer: data.answer ?? this.text,
      ...(data.model !== undefined ? { model: data.model } : {}),
      usage: data.usage,
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
      ...(this.logprobs ? { logprobs: this.logprobs } : {}),
    };
  }
}
