// A chat turn asks one question; an OpenAI request carries the whole conversation. This maps one onto the
// other: the last user message is the question, the user/assistant/tool messages before it are its history,
// the assistant tool calls and tool results after it continue a tool round trip, and system/developer
// messages are the client's instructions. Text parts are joined; image parts are kept, in order, for a
// vision model.
import type { HistoryMessage } from '../../domain/chat/chat-request.js';
import type { ContentPart } from '../../domain/chat/model-request.js';
import { maxContextCharacters, maxQuestionCharacters } from '../../domain/limits.js';
import { GatewayError } from '../gateway/gateway-error.js';
import type { ChatCompletionMessage } from './chat-completion-request.js';

/** An OpenAI request mapped onto a chat turn. */
export interface TurnMessages {
  /** The last user message's text. */
  question: string;
  /** Its text and image parts in order, when it has images. */
  questionParts?: ContentPart[];
  /** The messages before it, in order. */
  history: HistoryMessage[];
  /** Assistant tool calls and tool results after it (absent when the question is the last message). */
  continuation?: HistoryMessage[];
  /** System and developer messages, joined. */
  instructions?: string;
  /** Everything the model reads, for the gateway's token estimate. */
  promptText: string;
  /** Whether any message holds an image. */
  hasImages: boolean;
  /** Whether the conversation holds tool calls or tool results. */
  hasToolMessages: boolean;
}

type Converted = Omit<HistoryMessage, 'role'> & { role: HistoryMessage['role'] | 'system' };

export function turnOf(messages: ChatCompletionMessage[]): TurnMessages {
  const converted = messages.map(convert);
  const questionIndex = converted.findLastIndex((message) => message.role === 'user');
  const last = converted.at(-1)!;
  if (questionIndex < 0 || (last.role !== 'user' && last.role !== 'tool')) {
    throw new GatewayError(400, 'bad_request', 'The last message must be a user message, or a tool result answering a tool call.', {}, 'messages');
  }
  const question = converted[questionIndex]!;
  if (question.content.trim() === '' && !question.parts) {
    throw new GatewayError(400, 'bad_request', 'The last user message is empty.', {}, `messages.${questionIndex}.content`);
  }
  if (question.content.length > maxQuestionCharacters) {
    throw new GatewayError(400, 'context_length_exceeded', `The last user message holds ${question.content.length} characters; at most ${maxQuestionCharacters} are accepted.`, {}, 'messages');
  }
  checkToolRoundTrips(converted);
  const instructions = converted.filter((message) => message.role === 'system').map((message) => message.content).join('\n');
  const conversational = (message: Converted): message is HistoryMessage => message.role !== 'system';
  const history = converted.slice(0, questionIndex).filter(conversational);
  const continuation = converted.slice(questionIndex + 1).filter(conversational);
  const context = [...history, ...continuation];
  const contextLength = instructions.length + context.reduce((sum, message) => sum + message.content.length + argumentsLength(message), 0);
  if (contextLength > maxContextCharacters) {
    throw new GatewayError(400, 'context_length_exceeded', `The other messages hold ${contextLength} characters; at most ${maxContextCharacters} are accepted.`, {}, 'messages');
  }
  return {
    // A question that is only an image still needs words for the turn's record and the planner.
    question: question.content.trim() === '' ? '(image)' : question.content,
    ...(question.parts ? { questionParts: question.parts } : {}),
    history,
    ...(continuation.length > 0 ? { continuation } : {}),
    ...(instructions ? { instructions } : {}),
    promptText: [instructions, ...history.map(textOf), question.content, ...continuation.map(textOf)].filter(Boolean).join('\n'),
    hasImages: converted.some((message) => message.parts !== undefined),
    hasToolMessages: converted.some((message) => message.role === 'tool' || (message.toolCalls?.length ?? 0) > 0),
  };
}

function convert(message: ChatCompletionMessage, index: number): Converted {
  const role = message.role === 'developer' ? 'system' : message.role;
  const { text, parts } = contentOf(message.content, index, role);
  if (role === 'tool') {
    if (!message.tool_call_id) throw new GatewayError(400, 'bad_request', 'A tool message needs the tool_call_id of the call it answers.', {}, `messages.${index}.tool_call_id`);
    return { role, content: text, toolCallId: message.tool_call_id };
  }
  if (message.tool_calls?.length && role !== 'assistant') {
    throw new GatewayError(400, 'bad_request', 'Only an assistant message can carry tool_calls.', {}, `messages.${index}.tool_calls`);
  }
  return {
    role,
    content: text,
    ...(parts ? { parts } : {}),
    ...(message.tool_calls?.length ? { toolCalls: message.tool_calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.function.name, arguments: call.function.arguments } })) } : {}),
  };
}

/** The text of a content (parts joined) and, when it has images, its parts in order. Other part kinds are refused. */
function contentOf(content: ChatCompletionMessage['content'], index: number, role: Converted['role']): { text: string; parts?: ContentPart[] } {
  if (content === null || content === undefined) return { text: '' };
  if (typeof content === 'string') return { text: content };
  const parts: ContentPart[] = content.map((part, partIndex) => {
    const param = `messages.${index}.content.${partIndex}`;
    if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text };
    if (part.type === 'image_url' && part.image_url && role === 'user') return { type: 'image_url', image_url: part.image_url };
    if (part.type === 'image_url') throw new GatewayError(400, 'bad_request', part.image_url ? 'Only a user message can carry an image.' : 'An image_url part needs image_url.url.', {}, param);
    if (part.type === 'text') throw new GatewayError(400, 'bad_request', 'A text part needs text.', {}, param);
    throw new GatewayError(400, 'bad_request', `Content parts of type '${part.type}' are not supported; send text or image_url parts.`, {}, param);
  });
  const text = parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
  return parts.some((part) => part.type === 'image_url') ? { text, parts } : { text };
}

/** Every tool result answers a call an earlier assistant message made. */
function checkToolRoundTrips(messages: Converted[]): void {
  const calls = new Set<string>();
  messages.forEach((message, index) => {
    for (const call of message.toolCalls ?? []) calls.add(call.id);
    if (message.role === 'tool' && !calls.has(message.toolCallId!)) {
      throw new GatewayError(400, 'bad_request', `The tool message answers '${message.toolCallId}', which no earlier assistant message called.`, {}, `messages.${index}.tool_call_id`);
    }
  });
}

function argumentsLength(message: HistoryMessage): number {
  return (message.toolCalls ?? []).reduce((sum, call) => sum + call.function.name.length + call.function.arguments.length, 0);
}

function textOf(message: HistoryMessage): string {
  return [message.content, ...(message.toolCalls ?? []).map((call) => `${call.function.name}(${call.function.arguments})`)].filter(Boolean).join('\n');
}
