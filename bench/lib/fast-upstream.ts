// A protocol-faithful, fast OpenAI-compatible server for benchmarks: streamed and plain chat completions
// (role chunk, one chunk per token, finish chunk, a usage chunk when stream_options.include_usage asks for
// it, [DONE]), embeddings and /v1/models. Token count, delay before the first token and gap between tokens
// are configurable, so what is measured is the proxy in between, not the model.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FastUpstreamOptions {
  tokens: number;
  firstTokenMs: number;
  gapMs: number;
}

export interface FastUpstream {
  url: string;
  close(): Promise<void>;
}

interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
}

const vocabulary = [' the', ' sky', ' is', ' blue', ' because', ' air', ' scatters', ' light', ',', ' and', ' short', ' waves', ' more', '.'];
const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

export async function startFastUpstream(options: FastUpstreamOptions): Promise<FastUpstream> {
  let served = 0;
  const server = createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (data: string) => { raw += data; });
    request.on('end', () => {
      served += 1;
      void answer(request, response, raw, served).catch(() => response.destroy());
    });
  });
  server.keepAliveTimeout = 60_000;

  async function answer(request: IncomingMessage, response: ServerResponse, raw: string, serial: number): Promise<void> {
    if (request.method === 'GET' && request.url?.endsWith('/models')) {
      return json(response, { object: 'list', data: [{ id: 'bench-chat', object: 'model', created: 0, owned_by: 'bench' }] });
    }
    const body = JSON.parse(raw || '{}') as ChatBody & { input?: string | string[] };
    if (request.url?.endsWith('/embeddings')) {
      const inputs = typeof body.input === 'string' ? [body.input] : body.input ?? [];
      return json(response, {
        object: 'list', model: body.model,
        data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: Array.from({ length: 384 }, (__, dimension) => Math.sin(index + dimension)) })),
        usage: { prompt_tokens: inputs.length * 3, total_tokens: inputs.length * 3 },
      });
    }
    if (!request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      return;
    }
    const limit = body.max_completion_tokens ?? body.max_tokens ?? options.tokens;
    const count = Math.max(1, Math.min(options.tokens, limit));
    const words = Array.from({ length: count }, (_, index) => vocabulary[index % vocabulary.length]!);
    const finishReason = count < options.tokens ? 'length' : 'stop';
    const usage = { prompt_tokens: 12, completion_tokens: count, total_tokens: 12 + count };
    const base = { id: `chatcmpl-bench-${serial}`, created: Math.floor(Date.now() / 1000), model: body.model ?? 'bench-chat', system_fingerprint: 'fp_bench' };
    if (!body.stream) {
      await sleep(options.firstTokenMs + options.gapMs * (count - 1));
      return json(response, {
        ...base, object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: words.join(''), refusal: null }, logprobs: null, finish_reason: finishReason }],
        usage,
      });
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      response.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`);
    send([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    await sleep(options.firstTokenMs);
    for (const [index, word] of words.entries()) {
      if (index > 0) await sleep(options.gapMs);
      send([{ index: 0, delta: { content: word }, logprobs: null, finish_reason: null }]);
    }
    send([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]);
    if (body.stream_options?.include_usage) send([], { usage });
    response.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function json(response: ServerResponse, payload: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}
