// A local server speaking the Anthropic Messages API streaming protocol (event: message_start,
// content_block_start, ping, content_block_delta, content_block_stop, message_delta with usage,
// message_stop; `error` events mid-stream; HTTP errors with Anthropic's error body). Scripted per test.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnthropicScript {
  /** Text deltas to stream. */
  deltas: string[];
  /** Send an `error` event of this type after `failAfter` deltas instead of finishing. */
  streamError?: { type: string; afterDeltas: number };
  /** Answer with this HTTP status and an error body instead of streaming. */
  httpError?: { status: number; type: string };
  stopReason?: string;
}

export interface AnthropicServer {
  baseUrl: string;
  requests: { headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[];
  script: AnthropicScript;
  close(): Promise<void>;
}

export async function startAnthropicServer(script: AnthropicScript): Promise<AnthropicServer> {
  const state: AnthropicServer = { baseUrl: '', requests: [], script, close: async () => undefined };
  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      state.requests.push({ headers: request.headers, body });
      const current = state.script;
      if (request.url !== '/v1/messages' || request.method !== 'POST') {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }));
        return;
      }
      if (current.httpError) {
        response.writeHead(current.httpError.status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ type: 'error', error: { type: current.httpError.type, message: 'scripted failure' } }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (event: string, data: Record<string, unknown>) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      send('message_start', { type: 'message_start', message: { id: 'msg_local', type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, output_tokens: 1 } } });
      send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      send('ping', { type: 'ping' });
      current.deltas.forEach((text, index) => {
        if (current.streamError && index === current.streamError.afterDeltas) return;
        if (current.streamError && index > current.streamError.afterDeltas) return;
        send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
      });
      if (current.streamError) {
        send('error', { type: 'error', error: { type: current.streamError.type, message: 'Overloaded' } });
        response.end();
        return;
      }
      send('content_block_stop', { type: 'content_block_stop', index: 0 });
      send('message_delta', { type: 'message_delta', delta: { stop_reason: current.stopReason ?? 'end_turn', stop_sequence: null }, usage: { output_tokens: current.deltas.length } });
      send('message_stop', { type: 'message_stop' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
