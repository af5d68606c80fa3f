// OpenAI's Responses API request (POST /v1/responses), as far as Ragtime serves it. Input items are checked
// for their type and the fields Ragtime reads; the extra fields the official clients send along (ids,
// status) are accepted and ignored. Options Ragtime cannot honour are refused by name, never dropped.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { maxOutputTokens } from '../../../domain/limits.js';
import { GatewayError } from '../../gateway/gateway-error.js';

const nullable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));
const open = { additionalProperties: true };

const TextPart = Type.Object({
  type: Type.Union([Type.Literal('input_text'), Type.Literal('output_text')]),
  text: Type.String(),
}, open);
/** Any other content part (images, files, refusals): named in the refusal rather than rejected by the schema. */
const OtherPart = Type.Object({ type: Type.String() }, open);

export const MessageItem = Type.Object({
  type: Type.Optional(Type.Literal('message')),
  role: Type.Union([Type.Literal('user'), Type.Literal('assistant'), Type.Literal('system'), Type.Literal('developer')]),
  content: Type.Union([Type.String(), Type.Array(Type.Union([TextPart, OtherPart]), { maxItems: 256 })]),
}, open);

export const FunctionCallItem = Type.Object({
  type: Type.Literal('function_call'),
  call_id: Type.String({ minLength: 1, maxLength: 200 }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  arguments: Type.String(),
}, open);

export const FunctionCallOutputItem = Type.Object({
  type: Type.Literal('function_call_output'),
  call_id: Type.String({ minLength: 1, maxLength: 200 }),
  output: Type.Union([Type.String(), Type.Array(Type.Union([TextPart, OtherPart]), { maxItems: 256 })]),
}, open);

/** A reference to an item of an earlier stored response (the AI SDK sends these for its earlier answers). */
export const ItemReference = Type.Object({
  type: Type.Literal('item_reference'),
  id: Type.String({ minLength: 1, maxLength: 200 }),
}, open);

const InputItem = Type.Union([MessageItem, FunctionCallItem, FunctionCallOutputItem, ItemReference]);

const FunctionTool = Type.Object({
  type: Type.Literal('function'),
  name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  description: nullable(Type.String({ maxLength: 4096 })),
  parameters: nullable(Type.Object({}, open)),
  strict: nullable(Type.Boolean()),
}, open);

const ToolChoice = Type.Union([
  Type.Literal('none'), Type.Literal('auto'), Type.Literal('required'),
  Type.Object({ type: Type.Literal('function'), name: Type.String({ minLength: 1, maxLength: 64 }) }),
]);

export const TextFormat = Type.Union([
  Type.Object({ type: Type.Literal('text') }),
  Type.Object({ type: Type.Literal('json_object') }),
  Type.Object({
    type: Type.Literal('json_schema'),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    schema: Type.Object({}, open),
    description: nullable(Type.String()),
    strict: nullable(Type.Boolean()),
  }),
]);

export const ResponsesRequestSchema = Type.Object({
  model: Type.String({ minLength: 1, maxLength: 200 }),
  input: Type.Union([Type.String({ minLength: 1 }), Type.Array(InputItem, { minItems: 1, maxItems: 256 })]),
  instructions: nullable(Type.String()),
  max_output_tokens: nullable(Type.Integer({ minimum: 1, maximum: maxOutputTokens })),
  previous_response_id: nullable(Type.String({ minLength: 1, maxLength: 200 })),
  store: nullable(Type.Boolean()),
  stream: nullable(Type.Boolean()),
  temperature: nullable(Type.Number({ minimum: 0, maximum: 2 })),
  top_p: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  tools: Type.Optional(Type.Array(FunctionTool, { maxItems: 128 })),
  tool_choice: nullable(ToolChoice),
  parallel_tool_calls: nullable(Type.Boolean()),
  text: nullable(Type.Object({ format: Type.Optional(TextFormat), verbosity: nullable(Type.String()) })),
  metadata: nullable(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 512 }), { maxProperties: 16 })),
  user: Type.Optional(Type.String({ maxLength: 256 })),
  safety_identifier: Type.Optional(Type.String({ maxLength: 256 })),
  truncation: nullable(Type.Union([Type.Literal('disabled'), Type.Literal('auto')])),
  include: nullable(Type.Array(Type.String(), { maxItems: 16 })),
  service_tier: nullable(Type.String({ maxLength: 32 })),
  background: nullable(Type.Boolean()),
  reasoning: nullable(Type.Object({}, open)),
  max_tool_calls: nullable(Type.Integer({ minimum: 1 })),
  top_logprobs: nullable(Type.Integer({ minimum: 0, maximum: 20 })),
  conversation: nullable(Type.Union([Type.String(), Type.Object({}, open)])),
  prompt: nullable(Type.Object({}, open)),
  prompt_cache_key: Type.Optional(Type.String({ maxLength: 256 })),
});

export type ResponsesRequest = Static<typeof ResponsesRequestSchema>;
export type InputItem = Static<typeof InputItem>;
export type ResponsesTool = Static<typeof FunctionTool>;
export type ResponsesTextFormat = Static<typeof TextFormat>;

/**
 * Options Ragtime cannot honour, each with the value that asks for nothing (absent and null pass too). `include`
 * entries ask for data Ragtime does not produce (logprobs, encrypted reasoning); `background` runs are not kept.
 */
const unservedOptions: Record<string, (value: unknown) => boolean> = {
  background: (value) => value === false,
  include: (value) => Array.isArray(value) && value.length === 0,
  reasoning: (value) => typeof value === 'object' && Object.values(value as object).every((entry) => entry === null),
  top_logprobs: (value) => value === 0,
  conversation: () => false,
  prompt: () => false,
  truncation: (value) => value === 'disabled',
};

export function refuseUnservedResponseOptions(body: ResponsesRequest): void {
  for (const [name, harmless] of Object.entries(unservedOptions)) {
    const value = (body as Record<string, unknown>)[name];
    if (value !== undefined && value !== null && !harmless(value)) {
      throw new GatewayError(400, 'bad_request', `'${name}' is not supported by this server; leave it out.`, {}, name);
    }
  }
}
