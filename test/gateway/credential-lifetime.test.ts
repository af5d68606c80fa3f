// Credentials are checked for the life of a WebSocket, not only at the upgrade: a revoked key, a deleted user
// or a suspended org loses its open socket (close code 4401) at once when the change is announced on Redis,
// within AUTH_RECHECK_INTERVAL_MS when the announcement is lost, and the next frame after it is refused; a
// JWT's socket ends at its exp. Real API, Postgres and Redis; changes made through the admin CLI's code.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import { runAdmin } from '../../scripts/admin.js';
import { credentialChannel, publishCredentialChange, type CredentialChange } from '../../infra/gateway/credential-changes.js';
import { identityStore } from '../support/identities.js';
import { services } from '../support/services.js';
import { startApi, uniqueTaskQueue, type TestApi } from '../support/stack.js';

const secret = 'test-secret-that-is-long-enough-for-hs256!';
const jwtSettings = { AUTH_JWT_ISSUER: 'https://issuer.test', AUTH_JWT_AUDIENCE: 'ragtime-test' };

interface OpenSocket {
  socket: WebSocket;
  frames: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string; at: number }>;
}

async function openSocket(url: string, credential: string): Promise<OpenSocket> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${credential}` } });
  const frames: Record<string, unknown>[] = [];
  socket.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, frames, closed };
}

/** The socket answers frames: a resume of an unknown request gets not_found. */
async function expectAlive(open: OpenSocket): Promise<void> {
  const requestId = `probe-${randomUUID().slice(0, 8)}`;
  open.socket.send(JSON.stringify({ type: 'resume', requestId, lastEventId: 0 }));
  const deadline = Date.now() + 10_000;
  while (!open.frames.some((frame) => frame.requestId === requestId)) {
    if (Date.now() > deadline) throw new Error('the socket did not answer');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(open.frames.find((frame) => frame.requestId === requestId)).toMatchObject({ type: 'error', data: { code: 'not_found' } });
}

async function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms))]);
}

describe('credentials checked for the life of a WebSocket', () => {
  const taskQueue = uniqueTaskQueue('credentials');
  const org = `cred-${randomUUID().slice(0, 6)}`;
  // Announced changes only: the periodic re-check is too slow to matter here, frames reuse no verdict.
  let announcedApi: TestApi;
  // Lost announcements: only the periodic re-check (every 500 ms) can notice.
  let periodicApi: TestApi;
  let redis: Redis;
  const channel = credentialChannel(services().redisKeyPrefix);
  const announce = (change: CredentialChange) => publishCredentialChange(redis, channel, change);
  const admin = (argv: string[], announcer?: typeof announce) => runAdmin(argv, identityStore(), () => undefined, undefined, announcer);

  async function newKey(userId = 'u1'): Promise<{ id: string; key: string }> {
    await identityStore().createUser('test', { orgId: org, id: userId }).catch(() => undefined);
    return identityStore().createKey('test', { orgId: org, userId });
  }

  beforeAll(async () => {
    await identityStore().createOrg('test', { id: org, name: org, tier: 'enterprise' });
    redis = new Redis(services().redisUrl);
    [announcedApi, periodicApi] = await Promise.all([
      startApi(taskQueue, { ...jwtSettings, AUTH_JWT_SECRET: secret, AUTH_RECHECK_INTERVAL_MS: '600000', AUTH_RECHECK_CACHE_MS: '0' }),
      startApi(taskQueue, { AUTH_RECHECK_INTERVAL_MS: '500', AUTH_RECHECK_CACHE_MS: '60000' }),
    ]);
    // Both instances listen on the channel before anything is announced.
    const deadline = Date.now() + 10_000;
    while (Number((await redis.pubsub('NUMSUB', channel))[1]) < 2) {
      if (Date.now() > deadline) throw new Error('the APIs did not subscribe');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 120_000);
  afterAll(async () => {
    await announcedApi?.close();
    await periodicApi?.close();
    redis?.disconnect();
  });

  it('closes the socket of a key revoked with an announcement at once', async () => {
    const { id, key } = await newKey();
    const open = await openSocket(announcedApi.wsUrl, key);
    await expectAlive(open);
    const revokedAt = Date.now();
    await admin(['key', 'revoke', org, id], announce);
    const closed = await withinMs(open.closed, 2_000, 'closing the socket');
    expect(closed).toMatchObject({ code: 4401, reason: 'credential_revoked' });
    expect(closed.at - revokedAt).toBeLessThan(2_000);
    expect(open.frames.at(-1)).toMatchObject({ type: 'error', data: { code: 'credential_revoked' } });
  });

  it('refuses the next frame after a revocation whose announcement was lost, and closes the socket', async () => {
    const { id, key } = await newKey();
    const open = await openSocket(announcedApi.wsUrl, key);
    await expectAlive(open);
    await admin(['key', 'revoke', org, id]);
    const requestId = `after-${randomUUID().slice(0, 8)}`;
    open.socket.send(JSON.stringify({ type: 'chat', requestId, message: 'hello' }));
    const closed = await withinMs(open.closed, 2_000, 'closing the socket');
    expect(closed).toMatchObject({ code: 4401, reason: 'credential_revoked' });
    // The chat frame was not acted on: no event of its request, no workflow started.
    expect(open.frames.filter((frame) => frame.requestId === requestId)).toEqual([]);
    expect(open.frames.at(-1)).toMatchObject({ type: 'error', data: { code: 'credential_revoked' } });
  });

  it('closes an idle socket within the re-check interval when nothing was announced', async () => {
    const { id, key } = await newKey();
    const open = await openSocket(periodicApi.wsUrl, key);
    await expectAlive(open);
    const revokedAt = Date.now();
    await admin(['key', 'revoke', org, id]);
    const closed = await withinMs(open.closed, 3_000, 'closing the socket');
    expect(closed).toMatchObject({ code: 4401, reason: 'credential_revoked' });
    expect(closed.at - revokedAt).toBeLessThan(500 + 1_500);
  });

  it('closes the sockets of a deleted user, and of a suspended org (and its keys stop working)', async () => {
    const deleted = await newKey('leaving');
    const kept = await newKey('staying');
    const [ofDeleted, ofKept] = await Promise.all([openSocket(announcedApi.wsUrl, deleted.key), openSocket(announcedApi.wsUrl, kept.key)]);
    await admin(['user', 'delete', org, 'leaving'], announce);
    expect(await withinMs(ofDeleted.closed, 2_000, 'closing the deleted user\'s socket')).toMatchObject({ code: 4401 });
    await expectAlive(ofKept);

    await admin(['org', 'suspend', org], announce);
    expect(await withinMs(ofKept.closed, 2_000, 'closing the suspended org\'s socket')).toMatchObject({ code: 4401 });
    const refused = await fetch(`${announcedApi.url}/v1/models`, { headers: { authorization: `Bearer ${kept.key}` } });
    expect(refused.status).toBe(401);
    await admin(['org', 'unsuspend', org]);
    const reinstated = await fetch(`${announcedApi.url}/v1/models`, { headers: { authorization: `Bearer ${kept.key}` } });
    expect(reinstated.status).toBe(200);
  });

  it('ends a JWT socket at the token\'s exp', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3;
    const token = await new SignJWT({ org_id: org }).setProtectedHeader({ alg: 'HS256' }).setSubject('jwt-user')
      .setIssuer(jwtSettings.AUTH_JWT_ISSUER).setAudience(jwtSettings.AUTH_JWT_AUDIENCE).setIssuedAt().setExpirationTime(exp)
      .sign(new TextEncoder().encode(secret));
    const open = await openSocket(announcedApi.wsUrl, token);
    await expectAlive(open);
    const closed = await withinMs(open.closed, 6_000, 'closing the expired token\'s socket');
    expect(closed).toMatchObject({ code: 4401, reason: 'credential_expired' });
    expect(closed.at).toBeGreaterThanOrEqual(exp * 1000 - 50);
    expect(closed.at).toBeLessThan(exp * 1000 + 1_000);
  });
});
