// Streams chat completions from any OpenAI-compatible server (vLLM, llama.cpp, TEI-style gateways).
// No retries here: Temporal is the one retry layer.
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { ChatModel, ChatStreamChunk, ChatStreamRequest } from './chat-model.js';
import { ModelError } from './model-error.js';
import { postToModel } from './post-to-model.js';
import { readServerSentEvents } from './server-sent-events.js';

interface CompletionChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export class OpenAICompatibleChatModel implements ChatModel {
  constructor(private readonly options: { apiKey?: string; fetch?: typeof fetch } = {}) {}

  /** One client span per model call (OpenTelemetry GenAI conventions), its context sent upstream as traceparent. */
  async *stream(request: ChatStreamRequest): AsyncGenerator<ChatStreamChunk> {
    const span = trace.getTracer('ragtime').startSpan(`chat ${request.model}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': request.model, 'gen_ai.request.max_tokens': request.maxTokens, 'server.address': hostOf(request.baseUrl) },
    });
    try {
      const response = await this.post(request, trace.setSpan(context.active(), span));
      if (!response.body) throw new ModelError('model server returned no body', true);
      for await (const data of readServerSentEvents(response.body)) {
        if (data === '[DONE]') return;
        for (const chunk of chunksOf(parseChunk(data))) {
          if (chunk.type === 'usage') span.setAttributes({ 'gen_ai.usage.input_tokens': chunk.usage.promptTokens, 'gen_ai.usage.output_tokens': chunk.usage.completionTokens });
          if (chunk.type === 'finish') span.setAttribute('gen_ai.response.finish_reasons', [chunk.reason]);
          yield chunk;
        }
      }
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  private async post(request: ChatStreamRequest, spanContext = context.active()): Promise<Response> {
    const continuing = !!request.assistantPrefix;
    const messages = continuing
      ? [...request.messages, { role: 'assistant', content: request.assistantPrefix }]
      : request.messages;
    const body = {
      model: request.model,
      messages,
      max_tokens: request.maxTokens,
      temperature: request.temperature ?? 0.7,
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      ...(request.stop?.length ? { stop: request.stop } : {}),
      stream: true,
      stream_options: { include_usage: true },
      // vLLM's names for "continue the last assistant message"; llama.cpp continues a trailing
      // assistant message by default.
      ...(continuing ? { continue_final_message: true, add_generation_prompt: false } : {}),
    };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    propagation.inject(spanContext, headers);
    return postToModel({ url: `${request.baseUrl}/chat/completions`, headers, body, signal: request.signal, server: 'model server', fetch: this.options.fetch });
  }
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'unknown';
  }
}

function parseChunk(data: string): CompletionChunk {
  try {
    return JSON.parse(data) as CompletionChunk;
  } catch {
    throw new ModelError(`model server sent malformed stream data: ${data.slice(0, 100)}`, true);
  }
}

function* chunksOf(chunk: CompletionChunk): Generator<ChatStreamChunk> {
  for (const choice of chunk.choices ?? []) {
    const text = choice.delta?.content;
    if (text) yield { type: 'delta', text };
    if (choice.finish_reason) yield { type: 'finish', reason: choice.finish_reason };
  }
  if (chunk.usage) {
    yield {
      type: 'usage',
      usage: { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 },
    };
  }
}
