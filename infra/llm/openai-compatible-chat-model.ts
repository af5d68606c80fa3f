// Streams chat completions from any OpenAI-compatible server (vLLM, llama.cpp, TEI-style gateways).
// No retries here: Temporal is the one retry layer.
import type { ChatModel, ChatStreamChunk, ChatStreamRequest } from './chat-model.js';
import { ModelError, isRetryableStatus } from './model-error.js';
import { readServerSentEvents } from './server-sent-events.js';

interface CompletionChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export class OpenAICompatibleChatModel implements ChatModel {
  constructor(private readonly options: { apiKey?: string; fetch?: typeof fetch } = {}) {}

  async *stream(request: ChatStreamRequest): AsyncGenerator<ChatStreamChunk> {
    const response = await this.post(request);
    if (!response.body) throw new ModelError('model server returned no body', true);
    for await (const data of readServerSentEvents(response.body)) {
      if (data === '[DONE]') return;
      yield* chunksOf(parseChunk(data));
    }
  }

  private async post(request: ChatStreamRequest): Promise<Response> {
    const continuing = !!request.assistantPrefix;
    const messages = continuing
      ? [...request.messages, { role: 'assistant', content: request.assistantPrefix }]
      : request.messages;
    const body = {
      model: request.model,
      messages,
      max_tokens: request.maxTokens,
      temperature: request.temperature ?? 0.7,
      stream: true,
      stream_options: { include_usage: true },
      // vLLM's names for "continue the last assistant message"; llama.cpp continues a trailing
      // assistant message by default.
      ...(continuing ? { continue_final_message: true, add_generation_prompt: false } : {}),
    };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(`${request.baseUrl}/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: request.signal,
      });
    } catch (error) {
      if (request.signal?.aborted) throw error;
      throw new ModelError(`model server unreachable at ${request.baseUrl}: ${(error as Error).message}`, true);
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      throw new ModelError(`model server answered ${response.status}: ${detail}`, isRetryableStatus(response.status), response.status);
    }
    return response;
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
