// Forged, expired, wrong-audience and unsigned JWTs, unknown and revoked keys: all 401, and nothing runs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import WebSocket from 'ws';
import { WorkflowNotFoundError } from '@temporalio/client';
import { apiKeyFor, identityStore } from '../support/identities.js';
import { startApi, uniqueTaskQueue, type TestApi } from '../support/stack.js';
import { ledgerPool, ledgerRows } from './gateway-helpers.js';
import { chatWorkflowId } from '../../domain/chat/ids.js';

const secret = 'test-secret-that-is-long-enough-for-hs256!';
const issuer = 'https://issuer.test';
const audience = 'ragtime-test';
const org = `auth-${randomUUID().slice(0, 6)}`;

async function hsToken(claims: Record<string, unknown>, options: { secret?: string; audience?: string; issuer?: string; expiresIn?: string | number } = {}): Promise<string> {
  return new SignJWT({ org_id: org, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuer(options.issuer ?? issuer)
    .setAudience(options.audience ?? audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? secret));
}

function unsignedToken(): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'alice', org_id: org, iss: issuer, aud: audience, exp: now + 300, iat: now })}.`;
}

describe('authentication', () => {
  const taskQueue = uniqueTaskQueue('auth');
  let api: TestApi;
  let jwksApi: TestApi;
  let jwksServer: Server;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  const pool = ledgerPool();

  beforeAll(async () => {
    await apiKeyFor(org);
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    [api, jwksApi] = await Promise.all([
      startApi(taskQueue, { AUTH_JWT_ISSUER: issuer, AUTH_JWT_AUDIENCE: audience, AUTH_JWT_SECRET: secret }),
      startApi(taskQueue, { AUTH_JWT_ISSUER: issuer, AUTH_JWT_AUDIENCE: audience, AUTH_JWT_JWKS_URL: jwksUrl }),
    ]);
  });
  afterAll(async () => {
    await api?.close();
    await jwksApi?.close();
    jwksServer?.close();
    await pool.end();
  });

  async function complete(base: string, headers: Record<string, string>, requestId = randomUUID()) {
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': requestId, ...headers },
      body: JSON.stringify({ model: 'smollm2-135m-instruct', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }),
    });
    return { response, requestId };
  }

  async function expectNothingRan(requestId: string) {
    await expect(api.temporal.workflow.getHandle(chatWorkflowId(org, requestId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }

  it('accepts a valid HS256 token and a valid RS256 token from the JWKS', async () => {
    const hs = await fetch(`${api.url}/v1/models`, { headers: { authorization: `Bearer ${await hsToken({})}` } });
    expect(hs.status).toBe(200);
    const rs = await new SignJWT({ org_id: org }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('bob')
      .setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    const viaJwks = await fetch(`${jwksApi.url}/v1/models`, { headers: { authorization: `Bearer ${rs}` } });
    expect(viaJwks.status).toBe(200);
    // The HS256 instance does not accept the RS256 token, and the JWKS instance does not accept HS256.
    expect((await fetch(`${api.url}/v1/models`, { headers: { authorization: `Bearer ${rs}` } })).status).toBe(401);
    expect((await fetch(`${jwksApi.url}/v1/models`, { headers: { authorization: `Bearer ${await hsToken({})}` } })).status).toBe(401);
  });

  it.each([
    ['a forged signature', () => hsToken({}, { secret: 'another-secret-that-is-long-enough-for-hs256' })],
    ['an expired token', () => hsToken({}, { expiresIn: Math.floor(Date.now() / 1000) - 600 })],
    ['a wrong audience', () => hsToken({}, { audience: 'someone-else' })],
    ['a wrong issuer', () => hsToken({}, { issuer: 'https://evil.test' })],
    ['alg none', async () => unsignedToken()],
    ['an unknown org', () => hsToken({ org_id: 'no-such-org' })],
  ])('refuses %s with 401 and starts nothing', async (_name, token) => {
    const { response, requestId } = await complete(api.url, { authorization: `Bearer ${await token()}` });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_api_key', type: 'invalid_request_error' } });
    await expectNothingRan(requestId);
  });

  it('refuses unknown, malformed and revoked API keys, in either header', async () => {
    const key = await apiKeyFor(org, { userId: 'revoked-user' });
    expect((await fetch(`${api.url}/v1/models`, { headers: { 'x-api-key': key } })).status).toBe(200);
    expect((await fetch(`${api.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    const keyId = key.split('_')[1]!;
    await identityStore().revokeKey('test', org, keyId);

    const wrongSecret = `${key.slice(0, -4)}AAAA`;
    const unknown = `rt_${'x'.repeat(16)}_${'y'.repeat(43)}`;
    const attempts: Record<string, string>[] = [{ authorization: `Bearer ${key}` }, { 'x-api-key': key }, { 'x-api-key': wrongSecret }, { 'x-api-key': unknown }, { authorization: 'Bearer rt_short' }, {}];
    for (const headers of attempts) {
      const { response, requestId } = await complete(api.url, headers);
      expect(response.status, JSON.stringify(headers).slice(0, 40)).toBe(401);
      await expectNothingRan(requestId);
    }
    expect(await ledgerRows(pool, org)).toEqual([]);
  });

  it('answers an unauthenticated WebSocket upgrade with 401 and no socket', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(api.wsUrl, { headers: { authorization: `Bearer ${unsignedToken()}` } });
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('open', () => reject(new Error('the socket opened')));
      socket.once('error', () => undefined);
    });
    expect(status).toBe(401);
    const token = await hsToken({});
    const valid = new WebSocket(api.wsUrl, { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => { valid.once('open', () => resolve()); valid.once('error', reject); });
    valid.close();
  });
});
