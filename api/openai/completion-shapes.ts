// OpenAI's response shapes for chat completions, non-streamed and streamed.
import type { TokenUsage } from '../../domain/gateway/pricing.js';
import type { TokenLogprob, ToolCallRequest } from '../../domain/chat/model-request.js';
import type { AnswerToolCallEventData } from '../../domain/chat/events.js';

/** A choice's `logprobs`: the tokens' log probabilities when the client asked for them, else null. */
export type ChoiceLogprobs = { content: TokenLogprob[] | null; refusal: null } | null;

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls';

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

export function completion(context: CompletionContext, answer: string, finishReason: FinishReason, usage: TokenUsage, toolCalls?: ToolCallRequest[], logprobs: ChoiceLogprobs = null) {
  const message = toolCalls?.length
    ? { role: 'assistant', content: answer === '' ? null : answer, refusal: null, tool_calls: toolCalls }
    : { role: 'assistant', content: answer, refusal: null };
  return {
    id: context.id,
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    system_fingerprint: null,
    choices: [{ index: 0, message, logprobs, finish_reason: finishReason }],
    usage: openAIUsage(usage),
    ragtime: context.ragtime,
  };
}

/** A streamed fragment of a tool call: `id`, `type` and the function's name come with a call's first fragment. */
export interface ToolCallChunk {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

/** What every chunk of one completion starts with. */
function chunkOf(context: CompletionContext) {
  return { id: context.id, object: 'chat.completion.chunk', created: context.created, model: context.model, system_fingerprint: null };
}

export function chunk(context: CompletionContext, delta: { role?: 'assistant'; content?: string; tool_calls?: ToolCallChunk[] }, finishReason: FinishReason | null = null, logprobs: ChoiceLogprobs = null) {
  return { ...chunkOf(context), choices: [{ index: 0, delta, logprobs, finish_reason: finishReason }] };
}

/** The last chunk when the client asked for usage (stream_options.include_usage). */
export function usageChunk(context: CompletionContext, usage: TokenUsage) {
  return { ...chunkOf(context), choices: [], usage: openAIUsage(usage), ragtime: context.ragtime };
}

/**
 * Why the answer ended: a tool call, else the cap when it produced `completionTokens` of at most `maxTokens`,
 * else it stopped on its own.
 */
export function finishReasonOf(completionTokens: number, maxTokens: number, calledTools = false): FinishReason {
  if (calledTools) return 'tool_calls';
  return completionTokens >= maxTokens ? 'length' : 'stop';
}

/** An `answer.tool_call` event as a chunk's tool-call fragment. */
export function toolCallChunkOf(data: AnswerToolCallEventData): ToolCallChunk {
  return {
    index: data.index,
    ...(data.id !== undefined ? { id: data.id, type: 'function' as const } : {}),
    function: { ...(data.id !== undefined ? { name: data.name ?? '' } : {}), arguments: data.arguments },
  };
}

/** A failure inside an SSE stream (chat completions, fusion): OpenAI's error object, as a data event. */
export function streamedError(failure: { code: string; message: string }) {
  return { error: { message: failure.message, type: 'api_error', code: failure.code, param: null } };
}
