// OpenAI's response shapes for chat completions, non-streamed and streamed.
import type { TokenUsage } from '../../domain/gateway/pricing.js';

export type FinishReason = 'stop' | 'length' | 'content_filter';

export interface CompletionContext {
  id: string;
  created: number;
  model: string;
  /** Ragtime's own fields: whether the answer came from the cache, and the run that produced it. */
  ragtime: { cached: boolean; workflow_id?: string };
}

export function openAIUsage(usage: TokenUsage) {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
}

export function completion(context: CompletionContext, answer: string, finishReason: FinishReason, usage: TokenUsage) {
  return {
    id: context.id,
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    system_fingerprint: null,
    choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, logprobs: null, finish_reason: finishReason }],
    usage: openAIUsage(usage),
    ragtime: context.ragtime,
  };
}

export function chunk(context: CompletionContext, delta: { role?: 'assistant'; content?: string }, finishReason: FinishReason | null = null) {
  return {
    id: context.id,
    object: 'chat.completion.chunk',
    created: context.created,
    model: context.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** The last chunk when the client asked for usage (stream_options.include_usage). */
export function usageChunk(context: CompletionContext, usage: TokenUsage) {
  return {
    id: context.id,
    object: 'chat.completion.chunk',
    created: context.created,
    model: context.model,
    system_fingerprint: null,
    choices: [],
    usage: openAIUsage(usage),
    ragtime: context.ragtime,
  };
}

/** A run that produced `completionTokens` of at most `maxTokens` stopped on its own unless it hit the cap. */
export function finishReasonOf(completionTokens: number, maxTokens: number): FinishReason {
  return completionTokens >= maxTokens ? 'length' : 'stop';
}
