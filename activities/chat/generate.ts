// Streams the answer from the model into the request's event stream. Tokens never enter workflow history:
// only the final text and usage are returned. The output filter releases only text that is safe to publish
// (PII split across deltas is caught before the client sees it). A retry (worker crash, upstream error)
// continues from the text the client already received, which the event stream itself records.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ChatMessage } from '../../domain/chat/prompt.js';
import type { GenerationResult } from '../../domain/chat/chat-request.js';
import type { Usage } from '../../domain/chat/events.js';
import type { FilteredOutput, OutputFilter } from '../../domain/chat/ports.js';
import { ModelError } from '../../infra/llm/model-error.js';
import { StreamOffsetConflict } from '../../infra/redis/event-stream.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface GenerateInput {
  workflowId: string;
  tenantId: string;
  model: string;
  baseUrl: string;
  messages: ChatMessage[];
  maxTokens: number;
}

export interface GenerateProgress {
  offset: number;
  completionTokens: number;
}

const passThrough: OutputFilter = {
  push: (text) => ({ text, redactions: [], blocked: false }),
  end: () => ({ text: '', redactions: [], blocked: false }),
};

export function createGenerateActivity(deps: ChatActivityDependencies) {
  return async function generate(input: GenerateInput): Promise<GenerationResult> {
    const context = Context.current();
    const previous = context.info.heartbeatDetails as GenerateProgress | undefined;
    let text = await deps.events.emittedText(input.workflowId);
    if (previous && text.length < previous.offset) {
      context.log.warn('event stream holds less text than the last heartbeat; continuing from the stream', { offset: previous.offset, streamed: text.length });
    }
    const resumedFromOffset = text.length;
    const earlierTokens = previous?.completionTokens ?? 0;
    const filter = deps.safety ? await deps.safety.outputFilter(input.tenantId) : passThrough;
    const upstream = new AbortController();
    let usage: Usage = { promptTokens: 0, completionTokens: 0 };
    let finishReason = 'stop';
    let chunksSinceResume = 0;

    const publish = async (output: FilteredOutput): Promise<void> => {
      if (output.redactions.length > 0) {
        await deps.events.publish(input.workflowId, {
          type: 'safety.redaction',
          dedupeKey: `safety.redaction:${text.length}`,
          data: { offset: text.length, blocked: output.blocked, redactions: output.redactions },
        });
      }
      if (output.text) {
        await deps.events.appendDelta(input.workflowId, text.length, output.text);
        text += output.text;
      }
    };

    try {
      const stream = deps.chatModel.stream({
        baseUrl: input.baseUrl,
        model: input.model,
        messages: input.messages,
        maxTokens: Math.max(16, input.maxTokens - earlierTokens),
        assistantPrefix: text || undefined,
        signal: AbortSignal.any([context.cancellationSignal, upstream.signal]),
      });
      for await (const chunk of stream) {
        if (chunk.type === 'delta') {
          chunksSinceResume += 1;
          const output = filter.push(chunk.text);
          await publish(output);
          context.heartbeat({ offset: text.length, completionTokens: earlierTokens + chunksSinceResume } satisfies GenerateProgress);
          if (output.blocked) {
            finishReason = 'content_filter';
            upstream.abort();
            break;
          }
        } else if (chunk.type === 'usage') {
          usage = chunk.usage;
        } else {
          finishReason = chunk.reason;
        }
      }
      if (finishReason !== 'content_filter') await publish(filter.end());
    } catch (error) {
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason ?? error;
      throw toFailure(error);
    }
    return {
      text,
      usage: { promptTokens: usage.promptTokens, completionTokens: earlierTokens + (usage.completionTokens || chunksSinceResume) },
      model: input.model,
      finishReason,
      resumedFromOffset,
    };
  };
}

function toFailure(error: unknown): unknown {
  if (error instanceof ModelError) {
    return ApplicationFailure.create({ message: error.message, type: 'model_error', nonRetryable: !error.retryable, details: [{ status: error.status }] });
  }
  if (error instanceof StreamOffsetConflict) {
    return ApplicationFailure.retryable(error.message, 'stream_conflict');
  }
  return error;
}
