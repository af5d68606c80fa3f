// OpenAI's chat completion request, as far as Ragtime serves it, and its mapping onto a chat turn.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { HistoryMessage, Sampling } from '../../domain/chat/chat-request.js';
import { GatewayError } from '../gateway/gateway-error.js';

const nullable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

const ContentPart = Type.Object({ type: Type.String(), text: Type.Optional(Type.String()) });
const Role = Type.Union([Type.Literal('system'), Type.Literal('developer'), Type.Literal('user'), Type.Literal('assistant'), Type.Literal('tool')]);

export const ChatCompletionRequestSchema = Type.Object({
  model: Type.String({ minLength: 1, maxLength: 200 }),
  messages: Type.Array(Type.Object({
    role: Role,
    content: Type.Union([Type.String(), Type.Array(ContentPart), Type.Null()]),
    name: Type.Optional(Type.String()),
  }), { minItems: 1, maxItems: 256 }),
  stream: nullable(Type.Boolean()),
  stream_options: nullable(Type.Object({ include_usage: Type.Optional(Type.Boolean()) })),
  max_tokens: nullable(Type.Integer({ minimum: 1, maximum: 2048 })),
  max_completion_tokens: nullable(Type.Integer({ minimum: 1, maximum: 2048 })),
  n: nullable(Type.Integer({ minimum: 1, maximum: 1 })),
  temperature: nullable(Type.Number({ minimum: 0, maximum: 2 })),
  top_p: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  stop: nullable(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 4 })])),
  user: Type.Optional(Type.String({ maxLength: 256 })),
});

export type ChatCompletionRequest = Static<typeof ChatCompletionRequestSchema>;

/**
 * OpenAI options Ragtime cannot honour, each with the value that asks for nothing (absent and null pass too).
 * A request that sets one otherwise is refused with the field named, never served as if it were not there.
 */
const unservedOptions: Record<string, (value: unknown) => boolean> = {
  tools: (value) => Array.isArray(value) && value.length === 0,
  tool_choice: (value) => value === 'none',
  functions: (value) => Array.isArray(value) && value.length === 0,
  function_call: (value) => value === 'none',
  logprobs: (value) => value === false,
  top_logprobs: (value) => value === 0,
  response_format: (value) => typeof value === 'object' && (value as { type?: unknown }).type === 'text',
  audio: () => false,
  modalities: (value) => Array.isArray(value) && value.every((entry) => entry === 'text'),
  prediction: () => false,
  logit_bias: (value) => typeof value === 'object' && Object.keys(value as object).length === 0,
};

export function refuseUnservedOptions(body: ChatCompletionRequest): void {
  for (const [name, harmless] of Object.entries(unservedOptions)) {
    const value = (body as Record<string, unknown>)[name];
    if (value !== undefined && value !== null && !harmless(value)) {
      throw new GatewayError(400, 'bad_request', `'${name}' is not supported by this server; leave it out.`, {}, name);
    }
  }
}

/** The chat turn's limits (the workflow refuses more). */
const maxQuestionCharacters = 16_000;
const maxContextCharacters = 64_000;
export const defaultMaxTokens = 256;

/** An OpenAI request mapped onto a chat turn. */
export interface TurnMessages {
  /** The last user message. */
  question: string;
  /** The user and assistant messages before it, in order. */
  history: HistoryMessage[];
  /** System and developer messages, joined. */
  instructions?: string;
  /** Everything the model reads, for the gateway's token estimate. */
  promptText: string;
}

/**
 * A chat turn asks one question; an OpenAI request carries the whole conversation. The last user message is
 * the question, earlier user and assistant messages are its history and system/developer messages are the
 * client's instructions; tool messages are not served (Ragtime runs its own tools).
 */
export function turnOf(messages: ChatCompletionRequest['messages']): TurnMessages {
  const texts = messages.map((message) => ({ role: message.role, text: textOf(message.content) }));
  const last = texts.at(-1)!;
  if (last.role !== 'user' || last.text.trim() === '') {
    throw new GatewayError(400, 'bad_request', 'The last message must be a non-empty user message.', {}, 'messages');
  }
  if (last.text.length > maxQuestionCharacters) {
    throw new GatewayError(400, 'context_length_exceeded', `The last message holds ${last.text.length} characters; at most ${maxQuestionCharacters} are accepted.`, {}, 'messages');
  }
  const instructions = texts.filter((message) => message.role === 'system' || message.role === 'developer').map((message) => message.text).join('\n');
  const history = texts.slice(0, -1).flatMap((message): HistoryMessage[] => (message.role === 'user' || message.role === 'assistant' ? [{ role: message.role, content: message.text }] : []));
  const contextLength = instructions.length + history.reduce((sum, message) => sum + message.content.length, 0);
  if (contextLength > maxContextCharacters) {
    throw new GatewayError(400, 'context_length_exceeded', `The earlier messages hold ${contextLength} characters; at most ${maxContextCharacters} are accepted.`, {}, 'messages');
  }
  return {
    question: last.text,
    history,
    ...(instructions ? { instructions } : {}),
    promptText: [instructions, ...history.map((message) => message.content), last.text].filter(Boolean).join('\n'),
  };
}

/** OpenAI's sampling fields as the chat turn carries them (unset ones are left to the model server). */
export function samplingOf(body: ChatCompletionRequest): Sampling | undefined {
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop ?? undefined;
  const sampling: Sampling = {
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { topP: body.top_p } : {}),
    ...(stop?.length ? { stop } : {}),
  };
  return Object.keys(sampling).length > 0 ? sampling : undefined;
}

function textOf(content: ChatCompletionRequest['messages'][number]['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text ?? '' : '')).join('');
}
