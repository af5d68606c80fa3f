// Benchmark clients the way users call a gateway: a streamed /v1/chat/completions request (SSE), a plain
// (non-streamed) one, and a chat frame over Ragtime's WebSocket. Each sample records time to first token, token
// arrival gaps and the time to the end of the answer (a plain answer's first token is its end).
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { readServerSentEvents } from '../../infra/llm/server-sent-events.js';

export interface Sample {
  ttftMs: number;
  endMs: number;
  gapsMs: number[];
  tokens: number;
}

/** One client's way to ask: open whatever it keeps open, then ask repeatedly. */
export interface ChatClient {
  ask(): Promise<Sample>;
  close(): void;
}

export function streamedCompletions(url: string, bearer: string, model: string, question: string, maxTokens: number): () => Promise<ChatClient> {
  return async () => ({
    close: () => undefined,
    async ask() {
      const started = performance.now();
      const response = await postCompletion(url, bearer, { model, stream: true, max_tokens: maxTokens, messages: [{ role: 'user', content: question }] });
      if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
      const arrivals: number[] = [];
      for await (const data of readServerSentEvents(response.body)) {
        if (data === '[DONE]') break;
        const parsed = JSON.parse(data) as { choices?: { delta?: { content?: string } }[]; error?: unknown };
        if (parsed.error) throw new Error(`${url} streamed an error: ${JSON.stringify(parsed.error)}`);
        if (parsed.choices?.[0]?.delta?.content) arrivals.push(performance.now());
      }
      return sampleOf(started, arrivals);
    },
  });
}

/** Non-streamed completions: the answer arrives whole; `tokens` is its usage's completion tokens. */
export function plainCompletions(url: string, bearer: string, model: string, question: string, maxTokens: number): () => Promise<ChatClient> {
  return async () => ({
    close: () => undefined,
    async ask() {
      const started = performance.now();
      const response = await postCompletion(url, bearer, { model, max_tokens: maxTokens, messages: [{ role: 'user', content: question }] });
      const body = await response.json() as { choices?: { message?: { content?: string } }[]; usage?: { completion_tokens?: number } };
      if (!response.ok || !body.choices?.[0]?.message?.content) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
      const end = performance.now() - started;
      return { ttftMs: end, endMs: end, gapsMs: [], tokens: body.usage?.completion_tokens ?? 0 };
    },
  });
}

function postCompletion(url: string, bearer: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify(body),
  });
}

export function webSocketChat(url: string, bearer: string, question: string, maxTokens: number): () => Promise<ChatClient> {
  return async () => {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${bearer}` } });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return {
      close: () => socket.close(),
      ask: () => new Promise<Sample>((resolve, reject) => {
        const requestId = randomUUID();
        const arrivals: number[] = [];
        const started = performance.now();
        const onMessage = (raw: WebSocket.RawData) => {
          const event = JSON.parse(raw.toString()) as { type: string; requestId?: string; data: unknown };
          if (event.requestId !== requestId) return;
          if (event.type === 'answer.delta') arrivals.push(performance.now());
          if (event.type === 'error') {
            socket.off('message', onMessage);
            reject(new Error(`WebSocket chat error: ${JSON.stringify(event.data)}`));
          }
          if (event.type === 'answer.done') {
            socket.off('message', onMessage);
            resolve(sampleOf(started, arrivals));
          }
        };
        socket.on('message', onMessage);
        socket.send(JSON.stringify({ type: 'chat', requestId, message: question, maxTokens }));
      }),
    };
  };
}

function sampleOf(started: number, arrivals: number[]): Sample {
  const end = performance.now();
  return {
    ttftMs: (arrivals[0] ?? end) - started,
    endMs: end - started,
    gapsMs: arrivals.slice(1).map((time, index) => time - arrivals[index]!),
    tokens: arrivals.length,
  };
}

export interface LoadResult {
  samples: Sample[];
  seconds: number;
}

/** `clients` clients ask `total` questions between them, each waiting for its answer before the next. */
export async function runLoad(open: () => Promise<ChatClient>, clients: number, total: number): Promise<LoadResult> {
  const opened = await Promise.all(Array.from({ length: clients }, () => open()));
  const samples: Sample[] = [];
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(opened.map(async (client) => {
      while (next < total) {
        next += 1;
        samples.push(await client.ask());
      }
    }));
  } finally {
    for (const client of opened) client.close();
  }
  return { samples, seconds: (performance.now() - started) / 1000 };
}
