// A Responses request's input and instructions as the chat messages a chat turn is built from: the one
// translation between the Responses API's items and the chat-completions shape the rest of the gateway serves.
import { GatewayError } from '../../gateway/gateway-error.js';
import type { InputItem, ResponsesRequest } from './request-schema.js';

/** OpenAI's chat message, the shape the chat-completions path maps onto a chat turn. */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  /** Text, or a user message's text and image parts in order. */
  content: string | null | ChatContentPart[];
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

/** Finds the text of an item an earlier stored response produced (`item_reference`), or undefined. */
export type ItemResolver = (id: string) => Promise<ChatMessage | undefined>;

/**
 * `instructions` become a system message ahead of everything (they are not carried over from a previous
 * response, as in OpenAI's API); each input item becomes a message. Consecutive function calls join one
 * assistant message, as chat completions carry them.
 */
export async function chatMessagesOf(body: Pick<ResponsesRequest, 'input' | 'instructions'>, resolve: ItemResolver): Promise<ChatMessage[]> {
  const messages: ChatMessage[] = body.instructions ? [{ role: 'system', content: body.instructions }] : [];
  if (typeof body.input === 'string') return [...messages, { role: 'user', content: body.input }];
  for (const [index, item] of body.input.entries()) {
    const message = await messageOf(item, index, resolve);
    const previous = messages.at(-1);
    if (message.tool_calls && previous?.role === 'assistant' && previous.tool_calls && message.content === null) {
      previous.tool_calls.push(...message.tool_calls);
    } else {
      messages.push(message);
    }
  }
  return messages;
}

async function messageOf(item: InputItem, index: number, resolve: ItemResolver): Promise<ChatMessage> {
  const param = `input[${index}]`;
  switch (item.type) {
    case 'function_call':
      return { role: 'assistant', content: null, tool_calls: [{ id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } }] };
    case 'function_call_output':
      return { role: 'tool', tool_call_id: item.call_id, content: textOf(item.output, `${param}.output`) };
    case 'item_reference': {
      const found = await resolve(item.id);
      if (!found) throw new GatewayError(400, 'bad_request', `Item '${item.id}' was not found: only the answers of this org's stored responses can be referenced.`, {}, `${param}.id`);
      return found;
    }
    default:
      return { role: item.role, content: item.role === 'user' ? userContentOf(item.content, `${param}.content`) : textOf(item.content, `${param}.content`) };
  }
}

/** A user message's text, or its parts when it holds an image (`input_image` by URL or data URL). */
function userContentOf(content: string | { type: string; text?: unknown; image_url?: unknown; detail?: unknown }[], param: string): string | ChatContentPart[] {
  if (typeof content === 'string' || !content.some((part) => part.type === 'input_image')) return textOf(content, param);
  return content.map((part, index): ChatContentPart => {
    if (part.type !== 'input_image') return { type: 'text', text: textOf([part], `${param}[${index}]`) };
    if (typeof part.image_url !== 'string' || part.image_url === '') {
      throw new GatewayError(400, 'bad_request', 'An input_image needs image_url (a URL or a data URL); file ids are not served.', {}, `${param}[${index}]`);
    }
    const detail = part.detail === 'low' || part.detail === 'high' || part.detail === 'auto' ? { detail: part.detail as 'low' | 'high' | 'auto' } : {};
    return { type: 'image_url', image_url: { url: part.image_url, ...detail } };
  });
}

/** Text parts joined; any other part (an image, a file) is refused by name rather than dropped. */
function textOf(content: string | { type: string; text?: unknown }[], param: string): string {
  if (typeof content === 'string') return content;
  return content.map((part, index) => {
    if ((part.type === 'input_text' || part.type === 'output_text') && typeof part.text === 'string') return part.text;
    throw new GatewayError(400, 'bad_request', `Content parts of type '${part.type}' are not supported here; send input_text (or input_image in a user message).`, {}, `${param}[${index}]`);
  }).join('');
}
