// Streams chat completions from any OpenAI-compatible server (vLLM, llama.cpp, TEI-style gateways).
// No retries here: Temporal is the one retry layer.
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { ChatModel, ChatStreamChunk, ChatStreamRequest } from '../../domain/chat/ports.js';
import type { TokenLogprob } from '../../domain/chat/model-request.js';
import { ModelError } from '../../domain/chat/errors.js';
import { postToModel } from './post-to-model.js';
import { readServerSentEvents } from './server-sent-events.js';
import { readTextToolCalls } from './text-tool-call-stream.js';

interface ToolCallDelta {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

interface CompletionChunk {
  choices?: { delta?: { content?: string | null; tool_calls?: ToolCallDelta[] | null }; logprobs?: { content?: TokenLogprob[] | null } | null; finish_reason?: string | null }[];
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
      const { tools, toolChoice } = request.generation ?? {};
      // A call written as the whole answer's JSON is read only when tools were offered and a new answer starts.
      const chunks = tools?.length && toolChoice !== 'none' && !request.assistantPrefix
        ? readTextToolCalls(streamChunks(response.body), tools)
        : streamChunks(response.body);
      for await (const chunk of chunks) {
        if (chunk.type === 'usage') span.setAttributes({ 'gen_ai.usage.input_tokens': chunk.usage.promptTokens, 'gen_ai.usage.output_tokens': chunk.usage.completionTokens });
        if (chunk.type === 'finish') span.setAttribute('gen_ai.response.finish_reasons', [chunk.reason]);
        yield chunk;
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
    const generation = request.generation ?? {};
    const body = {
      // Model-server-specific sampling first: the standard fields below always win over a same-named one.
      ...request.server,
      model: request.model,
      messages: messages.map(wireMessage),
      // The client's max_completion_tokens / max_tokens, exactly (every OpenAI-compatible server reads this name).
      max_tokens: request.maxTokens,
      temperature: request.temperature ?? 0.7,
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      ...(request.stop?.length ? { stop: request.stop } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.frequencyPenalty !== undefined ? { frequency_penalty: request.frequencyPenalty } : {}),
      ...(request.presencePenalty !== undefined ? { presence_penalty: request.presencePenalty } : {}),
      ...(request.logitBias ? { logit_bias: request.logitBias } : {}),
      ...(request.logprobs !== undefined ? { logprobs: request.logprobs } : {}),
      ...(request.topLogprobs !== undefined ? { top_logprobs: request.topLogprobs } : {}),
      ...(generation.tools?.length ? { tools: generation.tools } : {}),
      ...(generation.toolChoice !== undefined ? { tool_choice: generation.toolChoice } : {}),
      ...(generation.parallelToolCalls !== undefined ? { parallel_tool_calls: generation.parallelToolCalls } : {}),
      ...(generation.responseFormat ? { response_format: generation.responseFormat } : {}),
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

async function* streamChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<ChatStreamChunk> {
  for await (const data of readServerSentEvents(body)) {
    if (data === '[DONE]') return;
    yield* chunksOf(parseChunk(data));
  }
}

function parseChunk(data: string): CompletionChunk {
  try {
    return JSON.parse(data) as CompletionChunk;
  } catch {
    throw new ModelError(`model server sent malformed stream data: ${data.slice(0, 100)}`, true);
  }
}

/** A message in OpenAI's wire shape: content parts when it has images, tool calls, the call a tool result answers. */
function wireMessage(message: ChatStreamRequest['messages'][number] | { role: string; content: string | undefined }): Record<string, unknown> {
  const { role, content } = message;
  const extra = message as ChatStreamRequest['messages'][number];
  return {
    role,
    content: extra.parts ?? (extra.toolCalls?.length && !content ? null : content),
    ...(extra.toolCalls?.length ? { tool_calls: extra.toolCalls } : {}),
    ...(extra.toolCallId !== undefined ? { tool_call_id: extra.toolCallId } : {}),
  };
}

function* chunksOf(chunk: CompletionChunk): Generator<ChatStreamChunk> {
  for (const choice of chunk.choices ?? []) {
    const text = choice.delta?.content;
    const logprobs = choice.logprobs?.content;
    if (text) yield { type: 'delta', text, ...(logprobs?.length ? { logprobs } : {}) };
    for (const call of choice.delta?.tool_calls ?? []) {
      yield {
        type: 'tool_call',
        index: call.index ?? 0,
        ...(call.id ? { id: call.id } : {}),
        ...(call.function?.name ? { name: call.function.name } : {}),
        arguments: call.function?.arguments ?? '',
      };
    }
    if (choice.finish_reason) yield { type: 'finish', reason: choice.finish_reason };
  }
  if (chunk.usage) {
    yield {
      type: 'usage',
      usage: { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 },
    };
  }
}
