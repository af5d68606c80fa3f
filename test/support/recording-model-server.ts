// A local model server speaking OpenAI's chat completions protocol as vLLM and llama.cpp do (streamed
// chat.completion.chunk events with content and tool-call deltas by index, finish_reason, a usage chunk when
// stream_options.include_usage asks, data: [DONE]; non-streamed chat.completion objects; OpenAI's error body),
// recording every request body so a test can assert what the model server received. It stands in for a
// tool-calling, JSON-mode, vision model that cannot run on this machine. What it answers is scripted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

/** What the model "generates": text, and/or calls of the request's tools. */
export interface ScriptedReply {
  text?: string;
  toolCalls?: { name: string; arguments: string }[];
  /** Defaults to `tool_calls` when the reply calls tools, else `stop` (or `length` at max_tokens). */
  finishReason?: string;
}

export interface RecordingModelServer {
  baseUrl: string;
  /** Every body the server received, in order. */
  requests: Json[];
  /** Overrides the default reply (see defaultReply) for the requests that follow. */
  reply?: (body: Json) => ScriptedReply;
  close(): Promise<void>;
}

/**
 * Calls the first offered tool (or the one tool_choice names) when tools are offered and the conversation does
 * not end with a tool result; answers a tool result by quoting it; answers JSON for a response_format; else text.
 */
export function defaultReply(body: Json): ScriptedReply {
  const messages = body.messages as { role: string; content: unknown }[];
  const last = messages.at(-1)!;
  const tools = (body.tools as { function: { name: string } }[] | undefined) ?? [];
  const choice = body.tool_choice as { function?: { name: string } } | string | undefined;
  if (last.role === 'tool') return { text: `The tool answered: ${String(last.content)}` };
  if (tools.length > 0 && choice !== 'none') {
    const name = typeof choice === 'object' && choice.function ? choice.function.name : tools[0]!.function.name;
    // Spaced as vLLM's and llama.cpp's parsers write arguments (Python's json.dumps).
    return { toolCalls: [{ name, arguments: '{"city": "Paris", "unit": "celsius"}' }] };
  }
  const format = body.response_format as { type: string } | undefined;
  if (format && format.type !== 'text') return { text: JSON.stringify({ name: 'Ada', age: 36 }) };
  return { text: 'Hello from the recording model.' };
}

/** Splits text into pieces of a few characters, as token deltas arrive. */
function pieces(text: string, size = 4): string[] {
  const out: string[] = [];
  for (let index = 0; index < text.length; index += size) out.push(text.slice(index, index + size));
  return out;
}

export async function startRecordingModelServer(model: string): Promise<RecordingModelServer> {
  const state: RecordingModelServer = { baseUrl: '', requests: [], close: async () => undefined };
  let calls = 0;
  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Not found', type: 'invalid_request_error', code: null, param: null } }));
        return;
      }
      let body: Json;
      try {
        body = JSON.parse(raw) as Json;
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'invalid JSON', type: 'invalid_request_error', code: null, param: null } }));
        return;
      }
      state.requests.push(body);
      const reply = (state.reply ?? defaultReply)(body);
      const maxTokens = (body.max_completion_tokens ?? body.max_tokens) as number | undefined;
      let textPieces = pieces(reply.text ?? '');
      if (maxTokens !== undefined && textPieces.length > maxTokens) textPieces = textPieces.slice(0, maxTokens);
      const toolCalls = (reply.toolCalls ?? []).map((call) => ({ id: `call_${++calls}`, ...call }));
      const completionTokens = textPieces.length + toolCalls.reduce((sum, call) => sum + 1 + pieces(call.arguments).length, 0);
      const finishReason = reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : maxTokens !== undefined && completionTokens >= maxTokens ? 'length' : 'stop');
      const usage = { prompt_tokens: Math.ceil(JSON.stringify(body.messages).length / 4), completion_tokens: completionTokens, total_tokens: 0 };
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
      // With `logprobs`, each text piece is one token with made-up but well-formed numbers.
      const top = (body.top_logprobs as number | undefined) ?? 0;
      const logprobsOf = (piece: string, index: number) => ({
        token: piece, logprob: -0.25 * (index + 1), bytes: [...Buffer.from(piece)],
        top_logprobs: Array.from({ length: top }, (_, rank) => ({ token: `${piece}#${rank}`, logprob: -0.25 * (index + 1) - rank, bytes: null })),
      });
      const wantsLogprobs = body.logprobs === true;
      const id = `chatcmpl-recorded-${state.requests.length}`;
      const created = Math.floor(Date.now() / 1000);
      if (body.stream !== true) {
        const message = {
          role: 'assistant',
          content: toolCalls.length > 0 && !reply.text ? null : textPieces.join(''),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) } : {}),
        };
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          id, object: 'chat.completion', created, model, usage,
          choices: [{ index: 0, message, logprobs: wantsLogprobs ? { content: textPieces.map(logprobsOf), refusal: null } : null, finish_reason: finishReason }],
        }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (delta: Json, finish: string | null = null, logprobs: Json | null = null) => response.write(`data: ${JSON.stringify({
        id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs, finish_reason: finish }],
      })}\n\n`);
      send({ role: 'assistant', content: '' });
      textPieces.forEach((piece, index) => send({ content: piece }, null, wantsLogprobs ? { content: [logprobsOf(piece, index)], refusal: null } : null));
      toolCalls.forEach((call, index) => {
        send({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
        for (const piece of pieces(call.arguments)) send({ tool_calls: [{ index, function: { arguments: piece } }] });
      });
      send({}, finishReason);
      if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) {
        response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
      }
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}
