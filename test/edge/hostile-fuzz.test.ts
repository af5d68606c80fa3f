// Generated hostile input against a real API process: WebSocket frames (deep nesting in every field, huge
// numbers, NUL, lone surrogates, wrong types, binary, oversized, floods) and HTTP requests to every route
// (bodies, query strings, path parameters, headers). After each case the process is alive and ready, and the
// client got an `error` event or a 4xx with a code: never a 5xx, never a hang. PROPERTY_RUNS raises the runs;
// the seed is printed so a failure can be replayed (FUZZ_SEED).
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../api/chat/client-messages.js';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { apiKeyFor } from '../support/identities.js';
import { startWorker, uniqueTaskQueue, type RunningWorker } from '../support/stack.js';

const runs = (count: number) => Math.max(count, Number(process.env.PROPERTY_RUNS ?? 0));
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const replyTimeoutMs = 5_000;
const org = `fuzz-${randomUUID().slice(0, 6)}`;

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\ud83d', '', ' ', '__proto__', 'constructor', '%00', '\\u0000', '💥'.repeat(100)),
  fc.integer({ min: 1, max: 70_000 }).map((length) => 'x'.repeat(length)),
);
const hostileNumber = fc.oneof(
  fc.integer(), fc.double(), fc.constantFrom(0, -1, 1, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 0.5, 1e-320, Number.MAX_SAFE_INTEGER),
);
const deepValue = fc.integer({ min: 1, max: 6_000 }).chain((depth) => fc.constantFrom('[', '{"a":').map((open) => {
  const close = open === '[' ? ']' : '}';
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}));
/** A JSON text for one field: a deep value, or a hostile scalar, array or object. */
const hostileValue = fc.oneof(
  deepValue,
  hostileString.map((value) => JSON.stringify(value)),
  hostileNumber.map((value) => JSON.stringify(value)),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('null', 'true', '[]', '{}', '"chat"', '"cancel"', '"resume"'),
);
const field = fc.constantFrom('type', 'requestId', 'message', 'conversationId', 'model', 'maxTokens', 'lastEventId', 'fusion', 'extra');
const objectFrame = fc.record({
  type: fc.oneof(fc.constantFrom('"chat"', '"cancel"', '"resume"'), hostileValue),
  fields: fc.dictionary(field, hostileValue, { maxKeys: 5 }),
  fusionModels: fc.option(hostileValue),
}).map(({ type, fields, fusionModels }) => {
  const entries = Object.entries({ ...fields, type });
  if (fusionModels) entries.push(['fusion', `{"strategy":"voting","models":${fusionModels}}`]);
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
});
const frame = fc.oneof(
  { weight: 5, arbitrary: objectFrame },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.integer({ min: 65_000, max: 300_000 }).map((size) => `{"type":"chat","requestId":"big","message":"${'y'.repeat(size)}"}`) },
);

/** Percent-encodes any string; a lone surrogate goes out as its (invalid) 3-byte UTF-8 form, as a raw client could send it. */
const encodePathParam = (text: string) => (text.isWellFormed() ? encodeURIComponent(text) : encodeURIComponent(text.toWellFormed()).replaceAll('%EF%BF%BD', '%ED%A0%80'));

const routes: { method: 'GET' | 'POST'; path: string }[] = [
  { method: 'GET', path: '/healthz' }, { method: 'GET', path: '/readyz' }, { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/v1/models' }, { method: 'GET', path: '/v1/models/{id}' },
  { method: 'POST', path: '/v1/chat/completions' }, { method: 'POST', path: '/v1/embeddings' }, { method: 'POST', path: '/v1/responses' },
  { method: 'POST', path: '/v1/completions' }, { method: 'GET', path: '/v1/responses/{id}' },
  { method: 'GET', path: '/v1/usage' }, { method: 'GET', path: '/v1/conversations/{id}' },
  { method: 'POST', path: '/v1/ingestion/jobs' }, { method: 'GET', path: '/v1/ingestion/jobs/{id}' },
  { method: 'GET', path: '/v1/chat/ws' }, { method: 'GET', path: '/openapi.json' }, { method: 'GET', path: '/no/such/route' },
];
const bodyFields = fc.constantFrom('model', 'messages', 'max_tokens', 'n', 'stream', 'input', 'dimensions', 'sources', 'jobId', 'temperature', 'stop', 'extra', 'instructions', 'previous_response_id', 'tools', 'max_output_tokens');
const messagesValue = fc.oneof(hostileValue, fc.array(fc.record({ role: fc.constantFrom('user', 'system', 'assistant', 'tool', 'x'), content: hostileString }), { maxLength: 3 }).map((value) => JSON.stringify(value)));
const httpBody = fc.oneof(
  fc.dictionary(bodyFields, fc.oneof(hostileValue, messagesValue), { maxKeys: 5 }).map((fields) => `{${Object.entries(fields).map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`),
  deepValue,
  hostileString,
  fc.jsonValue().map((value) => JSON.stringify(value)),
);
const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,300}$/);
const request = fc.record({
  route: fc.constantFrom(...routes),
  pathParam: hostileString,
  query: fc.dictionary(fc.constantFrom('from', 'to', 'user', 'limit', 'x', 'a[b]'), hostileString, { maxKeys: 3 }),
  body: fc.option(httpBody),
  contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'),
  headers: fc.dictionary(fc.constantFrom('idempotency-key', 'cache-control', 'x-ragtime-cache', 'accept', 'x-request-id'), headerValue, { maxKeys: 3 }),
  auth: fc.constantFrom('key', 'none', 'garbage', 'jwt-like'),
});

describe('fuzzing the edge of a real API process', () => {
  const taskQueue = uniqueTaskQueue('fuzz');
  let worker: RunningWorker;
  let api: ApiProcess;
  let key: string;

  beforeAll(async () => {
    console.log(`hostile fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    [worker, api, key] = await Promise.all([startWorker(taskQueue), startApiProcess('fuzz-api', taskQueue, { WS_MAX_SOCKETS_PER_KEY: '1000', WS_MAX_SOCKETS_PER_ORG: '1000' }), apiKeyFor(org)]);
  });
  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
  });

  async function expectAlive(): Promise<void> {
    expect(await api.healthy(replyTimeoutMs), 'the API process is alive and /readyz answers').toBe(true);
  }

  async function openSocket(): Promise<{ socket: WebSocket; next: () => Promise<Record<string, unknown>> }> {
    const socket = new WebSocket(api.wsUrl, { headers: { authorization: `Bearer ${key}` } });
    const received: Record<string, unknown>[] = [];
    let wake: (() => void) | undefined;
    socket.on('message', (raw) => { received.push(JSON.parse(raw.toString()) as Record<string, unknown>); wake?.(); });
    socket.on('close', () => wake?.());
    await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
    const next = async () => {
      const deadline = Date.now() + replyTimeoutMs;
      while (received.length === 0) {
        if (Date.now() > deadline) throw new Error('no reply within 5 s');
        if (socket.readyState !== WebSocket.OPEN) throw new Error('the socket closed without a reply');
        await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 100); });
      }
      return received.shift()!;
    };
    return { socket, next };
  }

  it('answers every generated frame with an error event (or a started chat) and stays up', { timeout: 600_000 }, async () => {
    await fc.assert(fc.asyncProperty(frame, async (sent) => {
      const { socket, next } = await openSocket();
      try {
        socket.send(sent);
        const reply = await next();
        const valid = typeof sent === 'string' && parseClientMessage(sent, 64 * 1024).ok;
        if (!valid) {
          expect(reply.type).toBe('error');
          expect(typeof (reply.data as { code?: unknown }).code).toBe('string');
          expect((reply.data as { code: string }).code).not.toBe('internal');
        } else if (reply.type !== 'error') {
          const requestId = JSON.parse(sent as string).requestId as string;
          socket.send(JSON.stringify({ type: 'cancel', requestId }));
        }
      } finally {
        socket.close();
      }
      await expectAlive();
    }), { numRuns: runs(60), seed });
  });

  it('answers a flood of frames on one socket, one reply each, and stays up', async () => {
    const { socket, next } = await openSocket();
    const frames = fc.sample(frame.filter((value) => typeof value !== 'string' || !parseClientMessage(value, 64 * 1024).ok), { numRuns: 200, seed });
    for (const sent of frames) socket.send(sent);
    for (let index = 0; index < frames.length; index += 1) expect((await next()).type).toBe('error');
    socket.close();
    await expectAlive();
  });

  it('answers every generated HTTP request with a 2xx or a 4xx with a code, never a 5xx or a hang', { timeout: 600_000 }, async () => {
    await fc.assert(fc.asyncProperty(request, async (input) => {
      const path = input.route.path.replace('{id}', encodePathParam(input.pathParam));
      const query = new URLSearchParams(input.query).toString();
      const headers: Record<string, string> = { ...input.headers };
      if (input.auth === 'key') headers.authorization = `Bearer ${key}`;
      if (input.auth === 'garbage') headers.authorization = `Bearer ${'A'.repeat(9000)}`;
      if (input.auth === 'jwt-like') headers.authorization = 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJcdTAwMDAifQ.';
      const hasBody = input.route.method === 'POST' && input.body !== null;
      if (hasBody) headers['content-type'] = input.contentType;
      const response = await fetch(`${api.url}${path}${query ? `?${query}` : ''}`, {
        method: input.route.method, headers, ...(hasBody ? { body: input.body! } : {}), signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      expect(response.status, `${input.route.method} ${path}: ${text.slice(0, 300)}`).toBeLessThan(500);
      if (response.status >= 400) expect(typeof (JSON.parse(text) as { error?: { code?: unknown } }).error?.code, text.slice(0, 300)).toBe('string');
      await expectAlive();
    }), { numRuns: runs(150), seed });
  });
});
