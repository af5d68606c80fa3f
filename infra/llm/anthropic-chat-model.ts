// Streams from the Anthropic Messages API (POST {baseUrl}/messages, server-sent events): message_start
// (input tokens), content_block_delta (text), message_delta (stop reason, output tokens), message_stop,
// ping, and error events that may arrive mid-stream. No retries here: Temporal is the one retry layer.
import type { ChatModel, ChatStreamChunk, ChatStreamRequest } from '../../domain/chat/ports.js';
import { ModelError } from '../../domain/chat/errors.js';
import { postToModel } from './post-to-model.js';
import { readServerSentEvents } from './server-sent-events.js';

export const anthropicVersion = '2023-06-01';

type StreamEvent =
  | { type: 'message_start'; message?: { usage?: { input_tokens?: number; output_tokens?: number } } }
  | { type: 'content_block_start' | 'content_block_stop' | 'ping' | 'message_stop' }
  | { type: 'content_block_delta'; delta?: { type?: string; text?: string } }
  | { type: 'message_delta'; delta?: { stop_reason?: string | null }; usage?: { output_tokens?: number; input_tokens?: number } }
  | { type: 'error'; error?: { type?: string; message?: string } };

/** Error types after which the same request may succeed later. */
const retryableErrorTypes = new Set(['overloaded_error', 'api_error', 'rate_limit_error', 'timeout_error']);

const stopReasons: Record<string, string> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls' };

export class AnthropicChatModel implements ChatModel {
  constructor(private readonly options: { apiKey?: string; fetch?: typeof fetch } = {}) {}

  async *stream(request: ChatStreamRequest): AsyncGenerator<ChatStreamChunk> {
    // The API rejects a prefilled assistant turn that ends in whitespace; the model writes it again.
    const prefix = request.assistantPrefix?.trimEnd();
    let trimLeadingSpace = !!request.assistantPrefix && prefix !== request.assistantPrefix;
    const response = await this.post(request, prefix);
    if (!response.body) throw new ModelError('Anthropic API returned no body', true);
    let inputTokens = 0;
    for await (const data of readServerSentEvents(response.body)) {
      const event = parse(data);
      if (event.type === 'message_start') {
        inputTokens = event.message?.usage?.input_tokens ?? 0;
      } else if (event.type === 'content_block_delta' && event.delta?.type === 'text_delta' && event.delta.text) {
        let text = event.delta.text;
        if (trimLeadingSpace) {
          text = text.replace(/^\s+/, '');
          if (text) trimLeadingSpace = false;
        }
        if (text) yield { type: 'delta', text };
      } else if (event.type === 'message_delta') {
        if (event.delta?.stop_reason) yield { type: 'finish', reason: stopReasons[event.delta.stop_reason] ?? event.delta.stop_reason };
        yield { type: 'usage', usage: { promptTokens: event.usage?.input_tokens ?? inputTokens, completionTokens: event.usage?.output_tokens ?? 0 } };
      } else if (event.type === 'error') {
        const kind = event.error?.type ?? 'api_error';
        throw new ModelError(`Anthropic stream error ${kind}: ${event.error?.message ?? ''}`, retryableErrorTypes.has(kind));
      } else if (event.type === 'message_stop') {
        return;
      }
    }
    throw new ModelError('Anthropic stream ended without message_stop', true);
  }

  private async post(request: ChatStreamRequest, prefix: string | undefined): Promise<Response> {
    // Client tools, structured output and images are not translated to the Messages API: refused, not dropped
    // (the registry records such a model without those capabilities, so the router does not send them here).
    const generation = request.generation ?? {};
    if (generation.tools?.length || (generation.responseFormat && generation.responseFormat.type !== 'text')
      || request.messages.some((message) => message.role === 'tool' || message.parts || message.toolCalls)) {
      throw new ModelError('this Anthropic adapter does not carry client tools, structured output or images', false, 400);
    }
    const system = request.messages.filter((message) => message.role === 'system').map((message) => message.content).join('\n\n');
    const messages = request.messages
      .filter((message) => message.role !== 'system')
      .map((message) => ({ role: message.role as 'user' | 'assistant', content: message.content }));
    if (prefix) messages.push({ role: 'assistant', content: prefix });
    const body = {
      model: request.model,
      max_tokens: request.maxTokens,
      messages,
      ...(system ? { system } : {}),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.topP === undefined ? {} : { top_p: request.topP }),
      ...(request.stop?.length ? { stop_sequences: request.stop } : {}),
      stream: true,
    };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream', 'anthropic-version': anthropicVersion };
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    // 529 is Anthropic's "overloaded": retryable like 503.
    return postToModel({ url: `${request.baseUrl}/messages`, headers, body, signal: request.signal, server: 'Anthropic API', fetch: this.options.fetch });
  }
}

function parse(data: string): StreamEvent {
  try {
    return JSON.parse(data) as StreamEvent;
  } catch {
    throw new ModelError(`Anthropic API sent malformed stream data: ${data.slice(0, 100)}`, true);
  }
}
