// Rate limits: one limit across API instances sharing Redis, tokens per minute charged with real usage,
// concurrent streams, the rule itself as a property, and the local fallback when Redis is unreachable.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { evaluateAdmission, type AdmitRequest } from '../../domain/gateway/rate-limits.js';
import { FallbackRateLimiter, RateLimiterUnavailable } from '../../infra/gateway/fallback-rate-limiter.js';
import { LocalRateLimiter } from '../../infra/gateway/local-rate-limiter.js';
import { RedisRateLimiter } from '../../infra/gateway/redis-rate-limiter.js';
import { ChatSocket } from '../support/chat-socket.js';
import { freePort } from '../support/free-port.js';
import { apiKeyFor } from '../support/identities.js';
import { services } from '../support/services.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';
import { ledgerPool, settledRow, tiersWith } from './gateway-helpers.js';

const limits = (requestsPerMinute: number, tokensPerMinute = 1_000_000, concurrentStreams = 100) => ({ requestsPerMinute, tokensPerMinute, concurrentStreams });

describe('the admission rule', () => {
  it('never admits more than the burst plus what refilled, and takes all or nothing', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 60 }),
      (orgRpm, userRpm, gaps) => {
        const limiter = new LocalRateLimiter();
        let now = 0;
        let admitted = 0;
        for (const [index, gap] of gaps.entries()) {
          now += gap;
          const request: AdmitRequest = { orgId: 'o', userId: 'u', orgLimits: limits(orgRpm), userLimits: limits(userRpm), leaseId: `r${index}`, leaseMs: 1 };
          const decision = evaluateAdmission(limiter, request, now);
          if (decision.allowed) admitted += 1;
          else expect(decision.retryAfterMs).toBeGreaterThan(0);
        }
        const capacity = Math.min(orgRpm, userRpm);
        expect(admitted).toBeLessThanOrEqual(capacity + Math.floor((now * capacity) / 60_000) + 1);
        // The user's bucket never gave more than the org's allowed: both moved together.
        expect(admitted).toBeLessThanOrEqual(orgRpm + Math.floor((now * orgRpm) / 60_000) + 1);
      },
    ));
  });

  it('keeps a stream slot until it is settled', async () => {
    const limiter = new LocalRateLimiter(() => 0);
    const request = (leaseId: string): AdmitRequest => ({ orgId: 'o', userId: 'u', orgLimits: limits(100, 100, 2), userLimits: limits(100, 100, 1), leaseId, leaseMs: 60_000 });
    expect((await limiter.admit(request('a'))).allowed).toBe(true);
    expect(await limiter.admit(request('b'))).toMatchObject({ allowed: false, scope: 'user', limit: 'concurrent_streams' });
    await limiter.settle({ ...request('a'), tokens: 0 });
    expect((await limiter.admit(request('b'))).allowed).toBe(true);
  });
});

describe('when Redis is unreachable', () => {
  let unreachable: Redis;
  beforeAll(async () => {
    unreachable = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: 1, lazyConnect: false });
    unreachable.on('error', () => undefined);
  });
  afterAll(() => unreachable.disconnect());

  const request: AdmitRequest = { orgId: 'fallback', userId: 'u', orgLimits: limits(3), userLimits: limits(10), leaseId: 'x', leaseMs: 1_000 };

  it('falls back to the local limiter (fail-open) and logs the switch once', async () => {
    const warnings: string[] = [];
    const limiter = new FallbackRateLimiter(new RedisRateLimiter(unreachable), new LocalRateLimiter(), {
      failureMode: 'open', timeoutMs: 100, logger: { warn: (_context: unknown, message?: string) => void warnings.push(String(message)), info: () => undefined } as never,
    });
    const decisions = [];
    for (let index = 0; index < 5; index += 1) decisions.push(await limiter.admit({ ...request, leaseId: `l${index}` }));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false, false]);
    expect(warnings).toEqual(['rate limiter: Redis unreachable; falling back to a per-instance limiter']);
  });

  it('refuses when configured fail-closed', async () => {
    const limiter = new FallbackRateLimiter(new RedisRateLimiter(unreachable), new LocalRateLimiter(), {
      failureMode: 'closed', timeoutMs: 100, logger: { warn: () => undefined, info: () => undefined } as never,
    });
    await expect(limiter.admit(request)).rejects.toBeInstanceOf(RateLimiterUnavailable);
  });
});

describe('limits across API instances', () => {
  const taskQueue = uniqueTaskQueue('limits');
  const org = `limits-${randomUUID().slice(0, 6)}`;
  const tokensOrg = `tokens-${randomUUID().slice(0, 6)}`;
  const streamsOrg = `streams-${randomUUID().slice(0, 6)}`;
  let worker: RunningWorker;
  let first: TestApi;
  let second: TestApi;
  const pool = ledgerPool();

  beforeAll(async () => {
    // free: 5 requests a minute per org; pro: 40 tokens a minute; enterprise: one stream at a time per user.
    const tiers = JSON.parse(tiersWith('free', { requestsPerMinute: 5 }));
    tiers.pro = JSON.parse(tiersWith('pro', { tokensPerMinute: 40 })).pro;
    tiers.enterprise = JSON.parse(tiersWith('enterprise', {}, { concurrentStreams: 1 })).enterprise;
    const environment = { GATEWAY_TIERS: JSON.stringify(tiers), RESPONSE_CACHE_TTL_SECONDS: '0' };
    [worker, first, second] = await Promise.all([startWorker(taskQueue, environment), startApi(taskQueue, environment), startApi(taskQueue, environment)]);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await worker?.stop();
    await pool.end();
  });

  it('admits exactly N of a burst of N+k spread over two instances sharing Redis', async () => {
    const keys = await Promise.all(['a', 'b', 'c'].map((user) => apiKeyFor(org, { userId: user, tier: 'free' })));
    const responses = await Promise.all(Array.from({ length: 9 }, (_, index) => fetch(`${(index % 2 ? first : second).url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[index % 3]}` },
      body: JSON.stringify({ model: 'smollm2-135m-instruct', messages: [{ role: 'user', content: `Say ${index}.` }], max_tokens: 4 }),
    })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(4);
    const refused = responses.find((response) => response.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('5');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limit_exceeded', type: 'requests' } });
    const admitted = responses.find((response) => response.status === 200)!;
    expect(admitted.headers.get('x-ratelimit-limit-requests')).toBe('5');
  });

  it('charges tokens per minute with the real usage of a streamed answer, then refuses on the WebSocket', async () => {
    const socket = await ChatSocket.open(first.wsUrl, tokensOrg, await apiKeyFor(tokensOrg, { tier: 'pro' }));
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: 'Tell me about the sea.', maxTokens: 48 });
    const events = await socket.waitForEnd(requestId);
    const usage = events.at(-1)!.data.usage as { promptTokens: number; completionTokens: number };
    expect(usage.promptTokens + usage.completionTokens).toBeGreaterThan(40);
    const row = await settledRow(pool, tokensOrg, requestId);
    expect(row.prompt_tokens + row.completion_tokens).toBe(usage.promptTokens + usage.completionTokens);

    const next = randomUUID();
    socket.send({ type: 'chat', requestId: next, message: 'And about rivers?', maxTokens: 8 });
    const [refusal] = await socket.waitForEnd(next, 10_000);
    await socket.close();
    expect(refusal).toMatchObject({ type: 'error', requestId: next, data: { code: 'rate_limit_exceeded' } });
    expect(refusal!.data.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(String(refusal!.data.message)).toMatch(/tokens per minute/);
  });

  it('allows one concurrent stream per user, and the next once it ended', async () => {
    const key = await apiKeyFor(streamsOrg, { tier: 'enterprise' });
    const socket = await ChatSocket.open(second.wsUrl, streamsOrg, key);
    const long = randomUUID();
    socket.send({ type: 'chat', requestId: long, message: 'Write a long story about a lighthouse.', maxTokens: 400 });
    await socket.waitFor('first delta', () => socket.for(long).some((event) => event.type === 'answer.delta'));
    const blocked = randomUUID();
    socket.send({ type: 'chat', requestId: blocked, message: 'Hi', maxTokens: 8 });
    const [refusal] = await socket.waitForEnd(blocked, 10_000);
    expect(refusal).toMatchObject({ type: 'error', data: { code: 'rate_limit_exceeded' } });
    expect(String(refusal!.data.message)).toMatch(/concurrent streams/);

    socket.send({ type: 'cancel', requestId: long });
    await socket.waitForEnd(long);
    await settledRow(pool, streamsOrg, long);
    const after = randomUUID();
    socket.send({ type: 'chat', requestId: after, message: 'Hi', maxTokens: 8 });
    const events = await socket.waitForEnd(after);
    await socket.close();
    expect(events.at(-1)!.type).toBe('answer.done');
  });
});

describe('the Redis limiter itself', () => {
  it('is exact under concurrency from many clients', async () => {
    const clients = Array.from({ length: 4 }, () => new Redis(services().redisUrl, { keyPrefix: services().redisKeyPrefix }));
    try {
      const limiters = clients.map((client) => new RedisRateLimiter(client));
      const orgId = `exact-${randomUUID().slice(0, 6)}`;
      const decisions = await Promise.all(Array.from({ length: 40 }, (_, index) => limiters[index % 4]!.admit({
        orgId, userId: `u${index % 7}`, orgLimits: limits(17), userLimits: limits(100), leaseId: `r${index}`, leaseMs: 60_000,
      })));
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(17);
    } finally {
      for (const client of clients) client.disconnect();
    }
  });
});
