// Messages a WebSocket client may send, as TypeBox schemas compiled once.
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { identifierPattern, isIdentifier, maxOutputTokens, maxQuestionCharacters } from '../../domain/limits.js';
import { findUnsafeText, jsonDepthExceeds, maxJsonDepth, unsafeTextMessage } from '../edge/payload-budget.js';

const identifier = Type.String({ pattern: identifierPattern });

export const ChatMessageSchema = Type.Object({
  type: Type.Literal('chat'),
  requestId: identifier,
  conversationId: Type.Optional(identifier),
  message: Type.String({ minLength: 1, maxLength: maxQuestionCharacters }),
  model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  maxTokens: Type.Optional(Type.Integer({ minimum: 1, maximum: maxOutputTokens })),
  /** Ask several models in parallel and fuse their answers (see workflows/fusion.ts). */
  fusion: Type.Optional(Type.Object({
    strategy: Type.Union([Type.Literal('first'), Type.Literal('voting'), Type.Literal('ranking'), Type.Literal('merging')]),
    models: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 8, uniqueItems: true })),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export const CancelMessageSchema = Type.Object({
  type: Type.Literal('cancel'),
  requestId: identifier,
}, { additionalProperties: false });

export const ResumeMessageSchema = Type.Object({
  type: Type.Literal('resume'),
  requestId: identifier,
  lastEventId: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
}, { additionalProperties: false });

export type ChatMessage = Static<typeof ChatMessageSchema>;
export type CancelMessage = Static<typeof CancelMessageSchema>;
export type ResumeMessage = Static<typeof ResumeMessageSchema>;
export type ClientMessage = ChatMessage | CancelMessage | ResumeMessage;

const validators = {
  chat: TypeCompiler.Compile(ChatMessageSchema),
  cancel: TypeCompiler.Compile(CancelMessageSchema),
  resume: TypeCompiler.Compile(ResumeMessageSchema),
};

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: 'invalid_json' | 'unknown_message_type' | 'bad_request' | 'message_too_large'; message: string; requestId?: string };

/** Parses and validates one client frame; never throws. */
export function parseClientMessage(raw: Buffer | string, maxBytes: number): ParseResult {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > maxBytes) return { ok: false, code: 'message_too_large', message: `message is ${size} bytes; the limit is ${maxBytes}` };
  const text = raw.toString();
  if (jsonDepthExceeds(text) !== undefined) {
    return { ok: false, code: 'bad_request', message: `message nests deeper than ${maxJsonDepth} levels` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'message is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'bad_request', message: 'message must be a JSON object with a "type"' };
  }
  const record = value as Record<string, unknown>;
  const requestId = isIdentifier(record.requestId) ? record.requestId : undefined;
  const type = record.type;
  if (type !== 'chat' && type !== 'cancel' && type !== 'resume') {
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 64)) : typeof type;
    return { ok: false, code: 'unknown_message_type', message: `unknown message type ${shown}; expected chat, cancel or resume`, requestId };
  }
  const validator = validators[type];
  if (!validator.Check(value)) {
    const problems = [...validator.Errors(value)].slice(0, 5).map((error) => `${error.path || '/'}: ${error.message}`);
    return { ok: false, code: 'bad_request', message: problems.join('; '), requestId };
  }
  // Valid in shape, now valid for storage: what is refused here never reaches the model or Postgres.
  const unsafe = findUnsafeText(value);
  if (unsafe) return { ok: false, code: 'bad_request', message: unsafeTextMessage(unsafe), requestId };
  return { ok: true, message: value as ClientMessage };
}
