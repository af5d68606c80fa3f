// Regression cases for each hostile input issue 13 found on main, against a real API process: after each, the
// process is alive, /readyz answers and the client got a clear refusal (never a 5xx, a crash or a free answer).
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { SignJWT } from 'jose';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatWorkflowId } from '../../domain/chat/ids.js';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { ChatSocket, type ReceivedEvent } from '../support/chat-socket.js';
import { apiKeyFor } from '../support/identities.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';

const org = `hostile-${randomUUID().slice(0, 6)}`;
const jwt = { AUTH_JWT_ISSUER: 'https://issuer.test', AUTH_JWT_AUDIENCE: 'ragtime-test', AUTH_JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256!' };
const deep = (depth: number, leaf = '1') => '['.repeat(depth) + leaf + ']'.repeat(depth);

describe('hostile input against a real API process', () => {
  const taskQueue = uniqueTaskQueue('hostile');
  let worker: RunningWorker;
  let api: ApiProcess;
  /** In-process, only to read workflow state through the same Temporal client the tests use. */
  let observer: TestApi;
  let key: string;
  let socket: ChatSocket;

  beforeAll(async () => {
    [worker, api, observer, key] = await Promise.all([
      startWorker(taskQueue), startApiProcess('hostile-api', taskQueue, jwt), startApi(taskQueue), apiKeyFor(org),
    ]);
    socket = await ChatSocket.open(api.wsUrl, org, key);
  });
  afterAll(async () => {
    await socket?.close();
    await api?.stop();
    await observer?.close();
    await worker?.stop();
  });

  async function reply(frame: string | Buffer): Promise<ReceivedEvent> {
    const before = socket.events.length;
    socket.sendRaw(frame);
    await socket.waitFor('a reply', (events) => events.length > before, 10_000);
    return socket.events[before]!;
  }

  async function expectAlive(): Promise<void> {
    expect(await api.healthy()).toBe(true);
  }

  async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { error?: { code: string; message: string; param: string | null } } & Record<string, unknown> }> {
    const response = await fetch(`${api.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(30_000) });
    return { status: response.status, body: await response.json() as never };
  }

  async function get(path: string, token = key): Promise<{ status: number; body: { error?: { code: string; message: string; param: string | null } } }> {
    const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: await response.json() as never };
  }

  async function neverStarted(requestId: string): Promise<void> {
    await expect(observer.temporal.workflow.getHandle(chatWorkflowId(org, requestId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }

  describe('WebSocket frames', () => {
    it.each([
      ['20 KB of nesting in type', `{"type": ${deep(10_000)}, "requestId": "deep-1"}`],
      ['nesting inside fusion.models', `{"type": "chat", "requestId": "deep-2", "message": "hi", "fusion": {"strategy": "voting", "models": ${deep(10_000, '"m"')}}}`],
      ['nesting in an unknown field', `{"type": "resume", "requestId": "deep-3", "lastEventId": 0, "x": ${deep(5_000)}}`],
    ])('%s: a bad_request naming the depth limit, and the process lives', async (_name, frame) => {
      const event = await reply(frame);
      expect(event.type).toBe('error');
      expect(event.data.code).toBe('bad_request');
      expect(String(event.data.message)).toMatch(/deeper than 32 levels/);
      expect(socket.isOpen).toBe(true);
      await expectAlive();
    });

    it.each([
      ['a NUL byte', 'say \u0000 hi', /\/message: text must not contain a NUL character/],
      ['a lone surrogate', 'say \ud800 hi', /\/message: text must not contain a lone UTF-16 surrogate/],
    ])('a chat with %s is refused before any workflow or model call', async (_name, text, message) => {
      const requestId = `nul-${randomUUID().slice(0, 8)}`;
      const event = await reply(JSON.stringify({ type: 'chat', requestId, message: text }));
      expect(event).toMatchObject({ type: 'error', requestId, data: { code: 'bad_request' } });
      expect(String(event.data.message)).toMatch(message);
      await neverStarted(requestId);
      await expectAlive();
    });

    it('refuses lastEventId: 1e308 instead of failing in Redis', async () => {
      const event = await reply('{"type": "resume", "requestId": "huge", "lastEventId": 1e308}');
      expect(event.data.code).toBe('bad_request');
      expect(String(event.data.message)).toMatch(/lastEventId/);
    });

    it('refuses a binary frame', async () => {
      const event = await reply(Buffer.from(JSON.stringify({ type: 'cancel', requestId: 'bin' })));
      expect(event.data).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/binary/) });
    });
  });

  describe('HTTP', () => {
    const chat = (extra: Record<string, unknown>) => JSON.stringify({ model: 'smollm2-135m-instruct', messages: [{ role: 'user', content: 'Say hi.' }], ...extra });

    it('answers nesting in an extra field of /v1/chat/completions with 400, not 500', async () => {
      const { status, body } = await post('/v1/chat/completions', chat({ extra: '__DEEP__' }).replace('"__DEEP__"', deep(5_000)));
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/deeper than 32 levels/) });
      await expectAlive();
    });

    it.each([
      ['a NUL byte', 'a\u0000b', 'body/messages/0/content'],
      ['a lone surrogate', 'a\udc00b', 'body/messages/0/content'],
    ])('refuses a message with %s with 400 naming the field', async (_name, content, param) => {
      const { status, body } = await post('/v1/chat/completions', JSON.stringify({ model: 'smollm2-135m-instruct', messages: [{ role: 'user', content }] }));
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 'bad_request', param });
    });

    it.each([
      ['max_tokens: 0', { max_tokens: 0 }, 'max_tokens'],
      ['max_tokens: "5"', { max_tokens: '5' }, 'max_tokens'],
      ['n: 2', { n: 2 }, 'n'],
      // The default model's registration has neither capability: refused by name, never silently dropped.
      ['tools to a model without tool calling', { tools: [{ type: 'function', function: { name: 'f' } }] }, 'tools'],
      ['logprobs: true to a model without log probabilities', { logprobs: true }, 'logprobs'],
      ['a tool without a function name', { tools: [{ type: 'function', function: {} }] }, 'tools.0.function.name'],
      ['functions (the deprecated form of tools)', { functions: [{ name: 'f' }] }, 'functions'],
    ])('refuses %s instead of coercing or ignoring it', async (_name, extra, param) => {
      const { status, body } = await post('/v1/chat/completions', chat(extra));
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 'bad_request', param });
    });

    it('honours max_tokens: 1 exactly: one token generated and reported', async () => {
      const client = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: key });
      const completion = await client.chat.completions.create({ model: 'smollm2-135m-instruct', messages: [{ role: 'user', content: 'Write a long poem about the sea.' }], max_tokens: 1 });
      expect(completion.usage!.completion_tokens).toBe(1);
      expect(completion.choices[0]!.finish_reason).toBe('length');
    });

    it('refuses embeddings dimensions the model cannot serve and accepts its own', async () => {
      const refused = await post('/v1/embeddings', JSON.stringify({ model: 'all-minilm-l6-v2-int8', input: 'hello', dimensions: 10 }));
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'bad_request', param: 'dimensions' });
      const served = await post('/v1/embeddings', JSON.stringify({ model: 'all-minilm-l6-v2-int8', input: 'hello', dimensions: 384 }));
      expect(served.status).toBe(200);
      expect((served.body.data as { embedding: number[] }[])[0]!.embedding).toHaveLength(384);
    });

    it.each([
      '/v1/usage?from=2026-13-45', '/v1/usage?from=0000-00-00', '/v1/usage?from=0000-01-01', '/v1/usage?to=2026-02-30',
      '/v1/usage?user=a%00b', '/v1/usage?unknown=1', '/v1/conversations/c-1?limit=1e308', '/v1/ingestion/jobs/a%00b',
    ])('answers %s with 400', async (path) => {
      const { status, body } = await get(path);
      expect(status).toBe(400);
      expect(body.error!.code).toBe('bad_request');
      await expectAlive();
    });

    it('answers a JWT whose sub holds a NUL with 401, not 500', async () => {
      const token = await new SignJWT({ org_id: org }).setProtectedHeader({ alg: 'HS256' }).setSubject('ali\u0000ce')
        .setIssuer(jwt.AUTH_JWT_ISSUER).setAudience(jwt.AUTH_JWT_AUDIENCE).setIssuedAt().setExpirationTime('5m')
        .sign(new TextEncoder().encode(jwt.AUTH_JWT_SECRET));
      const { status, body } = await get('/v1/models', token);
      expect(status).toBe(401);
      expect(body.error!.code).toBe('invalid_api_key');
    });
  });
});
