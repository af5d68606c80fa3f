// OpenAI's chat completion request as Ragtime serves it: the schema the edge validates (as sent, no coercion),
// the options refused because nothing can honour them, and the sampling settings the chat turn carries.
// The messages' mapping onto a turn is in turn-messages.ts, the capabilities a request needs in
// request-capabilities.ts.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Sampling } from '../../domain/chat/chat-request.js';
import type { GenerationOptions, ServerSampling } from '../../domain/chat/model-request.js';
import { serverSamplingNames } from '../../domain/chat/model-request.js';
import { maxOutputTokens } from '../../domain/limits.js';
import { GatewayError } from '../gateway/gateway-error.js';

const nullable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

/** A content part: text and image_url are served; the others are refused by name in turn-messages.ts. */
const ContentPart = Type.Object({
  type: Type.String({ maxLength: 64 }),
  text: Type.Optional(Type.String()),
  image_url: Type.Optional(Type.Object({ url: Type.String({ minLength: 1 }), detail: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('low'), Type.Literal('high')])) })),
});
const Role = Type.Union([Type.Literal('system'), Type.Literal('developer'), Type.Literal('user'), Type.Literal('assistant'), Type.Literal('tool')]);

const ToolCall = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 256 }),
  type: Type.Literal('function'),
  function: Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }), arguments: Type.String() }),
});

const FunctionTool = Type.Object({
  type: Type.Literal('function'),
  function: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    description: Type.Optional(Type.String({ maxLength: 8192 })),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    strict: nullable(Type.Boolean()),
  }),
});

const ToolChoice = Type.Union([
  Type.Literal('none'), Type.Literal('auto'), Type.Literal('required'),
  Type.Object({ type: Type.Literal('function'), function: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }) }),
]);

const ResponseFormat = Type.Union([
  Type.Object({ type: Type.Literal('text') }),
  Type.Object({ type: Type.Literal('json_object') }),
  Type.Object({
    type: Type.Literal('json_schema'),
    json_schema: Type.Object({
      name: Type.String({ minLength: 1, maxLength: 64 }),
      description: Type.Optional(Type.String()),
      schema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      strict: nullable(Type.Boolean()),
    }),
  }),
]);

const Penalty = Type.Number({ minimum: -2, maximum: 2 });

export const ChatCompletionRequestSchema = Type.Object({
  model: Type.String({ minLength: 1, maxLength: 200 }),
  messages: Type.Array(Type.Object({
    role: Role,
    content: Type.Optional(Type.Union([Type.String(), Type.Array(ContentPart, { maxItems: 64 }), Type.Null()])),
    name: Type.Optional(Type.String()),
    tool_calls: nullable(Type.Array(ToolCall, { maxItems: 128 })),
    tool_call_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    refusal: nullable(Type.String()),
  }), { minItems: 1, maxItems: 256 }),
  stream: nullable(Type.Boolean()),
  stream_options: nullable(Type.Object({ include_usage: Type.Optional(Type.Boolean()) })),
  max_tokens: nullable(Type.Integer({ minimum: 1, maximum: maxOutputTokens })),
  max_completion_tokens: nullable(Type.Integer({ minimum: 1, maximum: maxOutputTokens })),
  n: nullable(Type.Integer({ minimum: 1, maximum: 1 })),
  temperature: nullable(Type.Number({ minimum: 0, maximum: 2 })),
  top_p: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  stop: nullable(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 4 })])),
  seed: nullable(Type.Integer()),
  frequency_penalty: nullable(Penalty),
  presence_penalty: nullable(Penalty),
  logit_bias: nullable(Type.Record(Type.String({ pattern: '^[0-9]+$' }), Type.Number({ minimum: -100, maximum: 100 }))),
  logprobs: nullable(Type.Boolean()),
  top_logprobs: nullable(Type.Integer({ minimum: 0, maximum: 20 })),
  tools: nullable(Type.Array(FunctionTool, { maxItems: 128 })),
  tool_choice: nullable(ToolChoice),
  parallel_tool_calls: nullable(Type.Boolean()),
  response_format: nullable(ResponseFormat),
  // Model-server sampling (vLLM, llama.cpp): allowed per model by the registry's sampling_params.
  top_k: nullable(Type.Integer({ minimum: -1 })),
  min_p: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  typical_p: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  repetition_penalty: nullable(Type.Number({ exclusiveMinimum: 0, maximum: 10 })),
  min_tokens: nullable(Type.Integer({ minimum: 0, maximum: maxOutputTokens })),
  user: Type.Optional(Type.String({ maxLength: 256 })),
});

export type ChatCompletionRequest = Static<typeof ChatCompletionRequestSchema>;
export type ChatCompletionMessage = ChatCompletionRequest['messages'][number];

/**
 * OpenAI options Ragtime cannot honour, each with the value that asks for nothing (absent and null pass too).
 * A request that sets one otherwise is refused with the field named, never served as if it were not there.
 */
const unservedOptions: Record<string, { harmless: (value: unknown) => boolean; hint: string }> = {
  functions: { harmless: (value) => Array.isArray(value) && value.length === 0, hint: 'use tools instead' },
  function_call: { harmless: (value) => value === 'none', hint: 'use tool_choice instead' },
  audio: { harmless: () => false, hint: 'leave it out' },
  modalities: { harmless: (value) => Array.isArray(value) && value.every((entry) => entry === 'text'), hint: 'only text is served' },
  prediction: { harmless: () => false, hint: 'leave it out' },
};

export function refuseUnservedOptions(body: ChatCompletionRequest): void {
  for (const [name, { harmless, hint }] of Object.entries(unservedOptions)) {
    const value = (body as Record<string, unknown>)[name];
    if (value !== undefined && value !== null && !harmless(value)) {
      throw new GatewayError(400, 'bad_request', `'${name}' is not supported by this server; ${hint}.`, {}, name);
    }
  }
}

export const defaultMaxTokens = 256;

/** The completion's token cap: the client's own, exactly. */
export function maxTokensOf(body: ChatCompletionRequest): number {
  return body.max_completion_tokens ?? body.max_tokens ?? defaultMaxTokens;
}

/** OpenAI's sampling fields as the chat turn carries them (unset ones are left to the model server). */
export function samplingOf(body: ChatCompletionRequest): Sampling | undefined {
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop ?? undefined;
  const server = serverSamplingOf(body);
  const sampling: Sampling = {
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { topP: body.top_p } : {}),
    ...(stop?.length ? { stop } : {}),
    ...(body.seed != null ? { seed: body.seed } : {}),
    ...(body.frequency_penalty != null ? { frequencyPenalty: body.frequency_penalty } : {}),
    ...(body.presence_penalty != null ? { presencePenalty: body.presence_penalty } : {}),
    ...(body.logit_bias && Object.keys(body.logit_bias).length > 0 ? { logitBias: body.logit_bias } : {}),
    ...(body.logprobs != null ? { logprobs: body.logprobs } : {}),
    ...(body.top_logprobs != null ? { topLogprobs: body.top_logprobs } : {}),
    ...(server ? { server } : {}),
  };
  return Object.keys(sampling).length > 0 ? sampling : undefined;
}

/** The model-server-specific sampling fields the client set. */
export function serverSamplingOf(body: ChatCompletionRequest): ServerSampling | undefined {
  const server: ServerSampling = {};
  for (const name of serverSamplingNames) {
    const value = body[name];
    if (value != null) server[name] = value;
  }
  return Object.keys(server).length > 0 ? server : undefined;
}

/** Tools and output format for the model server (`tool_choice: none` with no tools asks for nothing). */
export function generationOf(body: ChatCompletionRequest): GenerationOptions | undefined {
  const generation: GenerationOptions = {
    ...(body.tools?.length ? { tools: body.tools } : {}),
    ...(body.tools?.length && body.tool_choice != null ? { toolChoice: body.tool_choice } : {}),
    ...(body.tools?.length && body.parallel_tool_calls != null ? { parallelToolCalls: body.parallel_tool_calls } : {}),
    ...(body.response_format && body.response_format.type !== 'text' ? { responseFormat: body.response_format } : {}),
  };
  if (typeof generation.toolChoice === 'object' && !body.tools!.some((tool) => tool.function.name === (generation.toolChoice as { function: { name: string } }).function.name)) {
    throw new GatewayError(400, 'bad_request', `tool_choice names the function '${generation.toolChoice.function.name}', which is not among the tools.`, {}, 'tool_choice');
  }
  if (body.tool_choice != null && body.tool_choice !== 'none' && body.tool_choice !== 'auto' && !body.tools?.length) {
    throw new GatewayError(400, 'bad_request', 'tool_choice asks for a tool call, but the request has no tools.', {}, 'tool_choice');
  }
  return Object.keys(generation).length > 0 ? generation : undefined;
}
