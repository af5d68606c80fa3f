// Every refusal of the HTTP API in OpenAI's error shape, {"error": {message, type, code, param}}, so an
// OpenAI client parses it: unknown routes, wrong methods (405 with Allow), bodies too large, a wrong content
// type and a request that times out; the official client raises the matching error classes.
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { apiKeyFor } from '../support/identities.js';
import { startApi, uniqueTaskQueue, type TestApi } from '../support/stack.js';

const shape = { error: { message: expect.any(String), type: expect.any(String), code: expect.any(String), param: null } };

describe('errors in OpenAI\'s shape', () => {
  let api: TestApi;
  let key: string;

  beforeAll(async () => {
    api = await startApi(uniqueTaskQueue('error-shapes'), { API_REQUEST_TIMEOUT_MS: '1000', API_HEADERS_TIMEOUT_MS: '1000' });
    key = await apiKeyFor(`errors-${randomUUID().slice(0, 6)}`);
  });
  afterAll(async () => {
    await api?.close();
  });

  const call = async (method: string, path: string, body?: string, contentType = 'application/json') => {
    const response = await fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': contentType } : {}) }, body });
    return { status: response.status, allow: response.headers.get('allow'), body: await response.json() as { error: Record<string, unknown> } };
  };

  it('answers an unknown route with 404 not_found', async () => {
    const unknown = await call('POST', '/v1/no-such-thing', '{}');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(shape);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', type: 'invalid_request_error' });
    const client = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: key, maxRetries: 0 });
    await expect(client.get('/no-such-thing')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers a wrong method with 405, the allowed methods and method_not_allowed', async () => {
    const wrong = await call('GET', '/v1/chat/completions');
    expect(wrong.status).toBe(405);
    expect(wrong.allow).toBe('POST');
    expect(wrong.body).toEqual(shape);
    expect(wrong.body.error.code).toBe('method_not_allowed');
    const parametric = await call('DELETE', '/v1/models/some-model');
    expect(parametric.status).toBe(405);
    expect(parametric.allow).toBe('GET, HEAD');
  });

  it('answers a body over the limit with 413 request_too_large and a wrong content type with 415', async () => {
    const huge = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] });
    const tooLarge = await call('POST', '/v1/chat/completions', huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toEqual(shape);
    expect(tooLarge.body.error.code).toBe('request_too_large');
    const media = await call('POST', '/v1/chat/completions', 'hello', 'text/csv');
    expect(media.status).toBe(415);
    expect(media.body.error.code).toBe('unsupported_media_type');
  });

  it('answers a request that does not arrive in time with 408 request_timeout', async () => {
    const { port } = new URL(api.url);
    const response = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(received));
      // The headers announce a body that never comes.
      socket.once('connect', () => socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`));
    });
    expect(response.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 408/);
    expect(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))).toEqual({ error: { message: 'Request Timeout', type: 'invalid_request_error', code: 'request_timeout', param: null } });
  });
});
