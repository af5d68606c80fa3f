// OpenAI's chat completion request, as far as Ragtime serves it, and its mapping onto a chat turn.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
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

/** The chat turn's question limit (the workflow refuses longer ones). */
const maxQuestionCharacters = 16_000;
export const defaultMaxTokens = 256;

/**
 * A chat turn asks one question; an OpenAI request carries the whole conversation. The last user message
 * is the question; system messages and earlier turns travel with it as context.
 */
export function questionOf(messages: ChatCompletionRequest['messages']): string {
  const texts = messages.map((message) => ({ role: message.role, text: textOf(message.content) }));
  const last = texts.at(-1)!;
  if (last.role !== 'user' || last.text.trim() === '') {
    throw new GatewayError(400, 'bad_request', 'The last message must be a non-empty user message.', {}, 'messages');
  }
  const instructions = texts.filter((message) => message.role === 'system' || message.role === 'developer').map((message) => message.text);
  const earlier = texts.slice(0, -1).filter((message) => message.role === 'user' || message.role === 'assistant');
  const parts = [
    ...(instructions.length > 0 ? [`Instructions:\n${instructions.join('\n')}`] : []),
    ...(earlier.length > 0 ? [`Conversation so far:\n${earlier.map((message) => `${message.role}: ${message.text}`).join('\n')}`] : []),
  ];
  const question = parts.length === 0 ? last.text : `${parts.join('\n\n')}\n\nQuestion: ${last.text}`;
  if (question.length > maxQuestionCharacters) {
    throw new GatewayError(400, 'context_length_exceeded', `The messages hold ${question.length} characters; at most ${maxQuestionCharacters} are accepted.`, {}, 'messages');
  }
  return question;
}

function textOf(content: ChatCompletionRequest['messages'][number]['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text ?? '' : '')).join('');
}
