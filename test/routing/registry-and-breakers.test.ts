// The model registry (Postgres behind a shared Redis cache with TTL, invalidation and a last known good
// copy; a version key makes a copy read before a change worthless after it) and the circuit breakers shared
// by workers through Redis.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRouteActivity } from '../../activities/chat/route.js';
import { withDefaults } from '../../domain/routing/model-registration.js';
import { createPool } from '../../infra/postgres/pool.js';
import { createRedis } from '../../infra/redis/redis-client.js';
import { CachedModelRegistry } from '../../infra/registry/cached-model-registry.js';
import { PostgresModelRegistry } from '../../infra/registry/postgres-model-registry.js';
import { RedisCircuitBreakers } from '../../infra/registry/redis-circuit-breakers.js';
import { RedisLatencyStats } from '../../infra/registry/redis-latency-stats.js';
import { ConversationStore } from '../../infra/postgres/conversation-store.js';
import { OpenAICompatibleChatModel } from '../../infra/llm/openai-compatible-chat-model.js';
import { freePort } from '../support/free-port.js';
import { routingHarness, type RoutingHarness } from '../support/routing-stack.js';

describe('model registry', () => {
  let harness: RoutingHarness;

  beforeAll(async () => {
    harness = await routingHarness({ MODEL_ENVIRONMENT: 'staging', REGISTRY_CACHE_TTL_SECONDS: '2' });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('keeps one registration per (model, environment) with every field', async () => {
    await harness.registry.register(withDefaults({ model: 'alpha', endpoint: 'http://127.0.0.1:1/v1', environment: 'staging', inputPrice: 1e-6, capabilities: { tools: true, jsonMode: false } }));
    await harness.registry.register(withDefaults({ model: 'alpha', endpoint: 'http://127.0.0.1:2/v1', environment: 'staging', provider: 'anthropic', contextLength: 200_000 }));
    const listed = await harness.registry.list('staging');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ model: 'alpha', endpoint: 'http://127.0.0.1:2/v1', provider: 'anthropic', contextLength: 200_000, status: 'ready', tiers: ['free', 'pro', 'enterprise'] });
    expect(await harness.registry.deregister('alpha', 'staging')).toBe(true);
    expect(await harness.registry.list('staging')).toEqual([]);
  });

  it('a change behind the cache shows within the TTL; a change through the registry shows at once', async () => {
    await harness.registry.register(withDefaults({ model: 'beta', endpoint: 'http://127.0.0.1:3/v1', environment: 'staging' }));
    expect((await harness.registry.list('staging'))[0]!.status).toBe('ready');
    // Another process changes the table directly: the cached copy serves until it expires.
    await harness.pool.query(`UPDATE model_registry SET status = 'disabled' WHERE model = 'beta' AND environment = 'staging'`);
    expect((await harness.registry.list('staging'))[0]!.status).toBe('ready');
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect((await harness.registry.list('staging'))[0]!.status).toBe('disabled');

    // Through the registry (as the admin CLI does), a second worker's reader sees it immediately.
    const otherWorker = new CachedModelRegistry(new PostgresModelRegistry(harness.pool), harness.redis.duplicate(), { ttlSeconds: 120 });
    expect((await otherWorker.list('staging'))[0]!.status).toBe('disabled');
    await harness.registry.setStatus('beta', 'staging', 'ready');
    expect((await otherWorker.list('staging'))[0]!.status).toBe('ready');
    await harness.registry.setStatus('beta', 'staging', 'disabled');
    expect((await otherWorker.list('staging'))[0]!.status).toBe('disabled');
  });

  it('routes from the last known good copy while the registry database is unreachable', async () => {
    await harness.registry.register(withDefaults({ model: 'gamma', endpoint: 'http://127.0.0.1:4/v1', environment: 'staging', quality: 5 }));
    expect((await harness.registry.list('staging')).map((registration) => registration.model)).toEqual(['beta', 'gamma']);

    const unreachable = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/ragtime_test`);
    const stale: string[] = [];
    const redis = harness.redis.duplicate();
    const downRegistry = new CachedModelRegistry(new PostgresModelRegistry(unreachable), redis, { ttlSeconds: 120, onStale: (environment) => stale.push(environment) });
    await downRegistry.invalidate('staging'); // the shared cache is gone too: only the last known good copy is left
    await expect(new PostgresModelRegistry(unreachable).list('staging')).rejects.toThrow();

    const route = createRouteActivity({
      events: harness.events,
      conversations: new ConversationStore(unreachable),
      chatModel: new OpenAICompatibleChatModel(),
      routing: {
        registry: downRegistry,
        environment: 'staging',
        breakers: new RedisCircuitBreakers(redis, { failureThreshold: 3, openMs: 1000, probeLeaseMs: 1000 }),
        latency: new RedisLatencyStats(redis),
        strategy: 'complexity',
        firstTokenTimeoutMs: 1000,
        stallTimeoutMs: 1000,
        fusionMaxModels: 3,
      },
      historyTurns: 0,
      temporalUiUrl: 'http://127.0.0.1:8233',
      temporalNamespace: 'default',
    });
    const choice = await new MockActivityEnvironment().run(route, { workflowId: `registry-down-${randomUUID()}`, tenantId: 't', question: 'Explain step by step why the sky is blue and compare it with sunsets.' });
    expect(choice).toMatchObject({ model: 'gamma', baseUrl: 'http://127.0.0.1:4/v1' });
    expect(stale).toEqual(['staging']);
    await unreachable.end();
    redis.disconnect();
  });

  it('never serves a copy read before a change and cached after it (a slow reader racing the admin CLI)', async () => {
    await harness.registry.register(withDefaults({ model: 'delta', endpoint: 'http://127.0.0.1:5/v1', environment: 'staging' }));
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const database = new PostgresModelRegistry(harness.pool);
    // A reader whose database answer arrives late: it read 'ready', then the change lands before it caches.
    const slow = new CachedModelRegistry({
      ...database, list: async (environment) => {
        const rows = await database.list(environment);
        await held;
        return rows;
      },
    } as PostgresModelRegistry, harness.redis.duplicate(), { ttlSeconds: 120 });
    await harness.registry.invalidate('staging');
    const slowRead = slow.list('staging');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await harness.registry.setStatus('delta', 'staging', 'disabled');
    release();
    expect((await slowRead).find((registration) => registration.model === 'delta')!.status).toBe('ready');
    // What it cached carries the version from before the change: no reader takes it.
    const otherReader = new CachedModelRegistry(new PostgresModelRegistry(harness.pool), harness.redis.duplicate(), { ttlSeconds: 120 });
    expect((await otherReader.list('staging')).find((registration) => registration.model === 'delta')!.status).toBe('disabled');
    await harness.registry.deregister('delta', 'staging');
  });

  it('a change made while Redis is unreachable stands, and readers of the database see it at once', async () => {
    const lostRedis = createRedis(`redis://127.0.0.1:${await freePort()}`, harness.config.REDIS_KEY_PREFIX);
    lostRedis.on('error', () => undefined);
    const failures: string[] = [];
    const withoutRedis = new CachedModelRegistry(new PostgresModelRegistry(harness.pool), lostRedis, { ttlSeconds: 120, onInvalidationFailed: (environment) => failures.push(environment) });
    await withoutRedis.register(withDefaults({ model: 'epsilon', endpoint: 'http://127.0.0.1:6/v1', environment: 'staging' }));
    expect(failures).toEqual(['staging']);
    expect((await withoutRedis.list('staging')).map((registration) => registration.model)).toContain('epsilon');
    lostRedis.disconnect();
    await harness.registry.deregister('epsilon', 'staging');
  });
});

describe('circuit breakers shared by workers', () => {
  const endpoint = `http://127.0.0.1:9/v1/${randomUUID()}`;
  let harness: RoutingHarness;

  beforeAll(async () => {
    harness = await routingHarness({ MODEL_ENVIRONMENT: 'staging' });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('opens after the threshold on one worker, is skipped by another, half-opens for one probe and closes on success', async () => {
    const settings = { failureThreshold: 3, openMs: 800, probeLeaseMs: 5_000 };
    const firstWorker = new RedisCircuitBreakers(harness.redis, settings);
    const secondRedis = createRedis(harness.config.REDIS_URL, harness.config.REDIS_KEY_PREFIX);
    const secondWorker = new RedisCircuitBreakers(secondRedis, settings);

    expect((await firstWorker.recordFailure(endpoint)).state).toBe('closed');
    await firstWorker.recordSuccess(endpoint); // a success resets the count: failures must be consecutive
    for (let failure = 1; failure <= 2; failure += 1) expect((await firstWorker.recordFailure(endpoint)).state).toBe('closed');
    expect(await secondWorker.openAmong([endpoint])).toEqual(new Set());
    const opened = await firstWorker.recordFailure(endpoint);
    expect(opened).toMatchObject({ state: 'open', consecutiveFailures: 3 });

    expect(await secondWorker.openAmong([endpoint, 'http://elsewhere/v1'])).toEqual(new Set([endpoint]));
    expect(await secondWorker.acquire(endpoint)).toBe(false);

    await new Promise((resolve) => setTimeout(resolve, 900));
    const probes = await Promise.all([firstWorker.acquire(endpoint), secondWorker.acquire(endpoint), firstWorker.acquire(endpoint)]);
    expect(probes.filter(Boolean)).toHaveLength(1);
    expect((await secondWorker.snapshot(endpoint)).state).toBe('half_open');
    expect(await firstWorker.openAmong([endpoint])).toEqual(new Set([endpoint])); // the probe holds the lease

    await secondWorker.recordSuccess(endpoint);
    expect(await firstWorker.snapshot(endpoint)).toEqual({ state: 'closed', consecutiveFailures: 0 });
    expect(await firstWorker.acquire(endpoint)).toBe(true);
    secondRedis.disconnect();
  });

  it('a failed half-open probe opens the circuit again', async () => {
    const other = `${endpoint}-probe`;
    const breakers = new RedisCircuitBreakers(harness.redis, { failureThreshold: 1, openMs: 300, probeLeaseMs: 5_000 });
    await breakers.recordFailure(other);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await breakers.acquire(other)).toBe(true);
    expect((await breakers.recordFailure(other)).state).toBe('open');
    expect(await breakers.acquire(other)).toBe(false);
  });
});
