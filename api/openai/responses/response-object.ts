// OpenAI's Response object (what POST /v1/responses answers, and what its stream's lifecycle events carry),
// built from what a chat turn produced. Ids derive from the request id, so a stored answer can be found
// again from the id a client holds: resp_<requestId>, msg_<requestId>, fc_<requestId>_<n>.
import type { TokenUsage } from '../../../domain/gateway/pricing.js';
import { isIdentifier } from '../../../domain/limits.js';
import type { ResponsesRequest } from './request-schema.js';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled';

export interface MessageOutput {
  type: 'message';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: { type: 'output_text'; text: string; annotations: never[]; logprobs: never[] }[];
}

export interface FunctionCallOutput {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}

export type OutputItem = MessageOutput | FunctionCallOutput;

/** What every Response of one request shares, from its request. */
export interface ResponseContext {
  requestId: string;
  createdAt: number;
  model: string;
  request: ResponsesRequest;
  /** Ragtime's own fields: the run that produced the answer. */
  ragtime: { workflow_id?: string };
}

export const responseIdOf = (requestId: string) => `resp_${requestId}`;
export const messageIdOf = (requestId: string) => `msg_${requestId}`;
export const functionCallIdOf = (requestId: string, index: number) => `fc_${requestId}_${index}`;

/** The request id inside an id Ragtime gave out (`resp_…`, `msg_…`), or undefined for any other id. */
export function requestIdIn(id: string, prefix: 'resp_' | 'msg_'): string | undefined {
  if (!id.startsWith(prefix)) return undefined;
  const requestId = id.slice(prefix.length);
  return isIdentifier(requestId) ? requestId : undefined;
}

export function messageOutput(requestId: string, text: string, status: MessageOutput['status']): MessageOutput {
  return { type: 'message', id: messageIdOf(requestId), status, role: 'assistant', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] };
}

export function functionCallOutput(requestId: string, index: number, call: { id: string; function: { name: string; arguments: string } }, status: FunctionCallOutput['status']): FunctionCallOutput {
  return { type: 'function_call', id: functionCallIdOf(requestId, index), call_id: call.id, name: call.function.name, arguments: call.function.arguments, status };
}

export function responsesUsage(usage: TokenUsage) {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

export interface ResponseState {
  status: ResponseStatus;
  output: OutputItem[];
  usage?: TokenUsage;
  incompleteReason?: 'max_output_tokens' | 'content_filter';
  error?: { code: string; message: string };
}

export function responseObject(context: ResponseContext, state: ResponseState) {
  const { request } = context;
  return {
    id: responseIdOf(context.requestId),
    object: 'response' as const,
    created_at: context.createdAt,
    status: state.status,
    background: false,
    error: state.error ?? null,
    incomplete_details: state.incompleteReason ? { reason: state.incompleteReason } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: null,
    model: context.model,
    output: state.output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage: state.usage ? responsesUsage(state.usage) : null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
    ragtime: context.ragtime,
  };
}
