// Failover and routing latency against the local stack (./ragtime up: Postgres, Redis, model on :8091).
//   npx tsx bench/failover.ts [--runs 20] [--model http://127.0.0.1:8091/v1]
// 1. Time from an upstream failure to the first token from the fallback, for a primary that drops the
//    connection mid-stream and one that stalls (stall timeout 1 s), next to a fresh request's time to first
//    token on the same server (the floor). The primary is a proxy to the same model server that fails after
//    a few events; the fallback is the model server itself.
// 2. Routing decision latency of the route activity: registry from the Redis cache vs. from Postgres.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createGenerateActivity, type GenerateInput } from '../activities/chat/generate.js';
import { createRouteActivity } from '../activities/chat/route.js';
import type { ChatActivityDependencies } from '../activities/chat/dependencies.js';
import { withDefaults } from '../domain/routing/model-registration.js';
import { loadConfig } from '../infra/config.js';
import type { ChatModel, ChatStreamChunk, ChatStreamRequest } from '../domain/chat/ports.js';
import { OpenAICompatibleChatModel } from '../infra/llm/openai-compatible-chat-model.js';
import { ConversationStore } from '../infra/postgres/conversation-store.js';
import { migrate } from '../infra/postgres/migrate.js';
import { createPool } from '../infra/postgres/pool.js';
import { EventStream } from '../infra/redis/event-stream.js';
import { createRedis } from '../infra/redis/redis-client.js';
import { CachedModelRegistry } from '../infra/registry/cached-model-registry.js';
import { PostgresModelRegistry } from '../infra/registry/postgres-model-registry.js';
import { RedisCircuitBreakers } from '../infra/registry/redis-circuit-breakers.js';
import { RedisLatencyStats } from '../infra/registry/redis-latency-stats.js';
import { mean, percentile } from './lib/metrics.js';
import { printTable } from './lib/table.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : args[index + 1] ?? fallback;
};
const runs = Number(option('runs', '20'));
const modelUrl = option('model', 'http://127.0.0.1:8091/v1');
const stallMs = 3_000;
const eventsBeforeFailure = 8;
const messages = [{ role: 'user' as const, content: 'Write a short story about a lighthouse keeper.' }];

type Mode = 'drop' | 'stall';
let mode: Mode = 'drop';
let failedAt = 0;

/** Forwards to the model server; after a few stream events it drops the connection or goes silent. */
const proxy = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => void forward().catch((error: unknown) => response.destroy(error as Error)));
  const forward = async () => {
    const upstream = await fetch(`${modelUrl}${request.url!.replace(/^\/v1/, '')}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    response.writeHead(upstream.status, { 'content-type': 'text/event-stream' });
    let events = 0;
    const decoder = new TextDecoder();
    for await (const chunk of upstream.body!) {
      events += (decoder.decode(chunk, { stream: true }).match(/\n\n/g) ?? []).length;
      response.write(chunk);
      if (events >= eventsBeforeFailure) {
        failedAt = performance.now();
        if (mode === 'drop') response.socket?.destroy();
        return; // leaving the loop closes the upstream request; a stalled primary keeps the client's open
      }
    }
    response.end();
  };
});

/** Notes when the fallback's first token arrives. */
class TimedModel implements ChatModel {
  fallbackFirstToken = 0;
  private readonly inner = new OpenAICompatibleChatModel();
  async *stream(request: ChatStreamRequest): AsyncGenerator<ChatStreamChunk> {
    for await (const chunk of this.inner.stream(request)) {
      if (chunk.type === 'delta' && request.baseUrl === modelUrl && !this.fallbackFirstToken) this.fallbackFirstToken = performance.now();
      yield chunk;
    }
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const redis = createRedis(config.REDIS_URL, `ragtime-bench:${randomUUID().slice(0, 6)}:`);
  const pool = createPool(config.DATABASE_URL);
  await migrate(pool);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
  const registry = new CachedModelRegistry(new PostgresModelRegistry(pool), redis, { ttlSeconds: 120 });
  const model = new TimedModel();
  const deps: ChatActivityDependencies = {
    events: new EventStream(redis, 600),
    conversations: new ConversationStore(pool),
    chatModel: model,
    routing: {
      registry, environment: 'staging',
      // A threshold no run reaches: every run exercises the failover itself, not the open circuit.
      breakers: new RedisCircuitBreakers(redis, { failureThreshold: 1_000_000, openMs: 1_000, probeLeaseMs: 1_000 }),
      latency: new RedisLatencyStats(redis), strategy: 'latency',
      firstTokenTimeoutMs: 20_000, stallTimeoutMs: stallMs, fusionMaxModels: 3,
    },
    historyTurns: 0, temporalUiUrl: config.TEMPORAL_UI_URL, temporalNamespace: config.TEMPORAL_NAMESPACE,
  };
  const generate = createGenerateActivity(deps);
  const environment = new MockActivityEnvironment();

  const failover = async (which: Mode): Promise<number> => {
    mode = which;
    model.fallbackFirstToken = 0;
    const input: GenerateInput = {
      workflowId: `bench-failover-${randomUUID()}`, tenantId: 'bench', model: 'primary', baseUrl: proxyUrl,
      fallbacks: [{ model: 'fallback', baseUrl: modelUrl }], messages, maxTokens: 40,
    };
    await environment.run(generate, input);
    return model.fallbackFirstToken - failedAt;
  };
  const freshTtft = async (): Promise<number> => {
    const started = performance.now();
    for await (const chunk of new OpenAICompatibleChatModel().stream({ baseUrl: modelUrl, model: 'fallback', messages, maxTokens: 40 })) {
      if (chunk.type === 'delta') return performance.now() - started;
    }
    return Number.NaN;
  };

  const samples: Record<string, number[]> = { drop: [], stall: [], fresh: [] };
  for (let run = 0; run < runs; run += 1) {
    samples.drop!.push(await failover('drop'));
    samples.stall!.push(await failover('stall'));
    samples.fresh!.push(await freshTtft());
  }

  await pool.query(`DELETE FROM model_registry WHERE environment = 'staging' AND model LIKE 'bench-%'`);
  for (let index = 0; index < 4; index += 1) {
    await registry.register(withDefaults({ model: `bench-${index}`, endpoint: `http://127.0.0.1:${9000 + index}/v1`, environment: 'staging', quality: index, fallbacks: [`bench-${(index + 1) % 4}`] }));
  }
  const route = createRouteActivity(deps);
  const routeOnce = async (cached: boolean): Promise<number> => {
    if (!cached) await registry.invalidate('staging');
    const started = performance.now();
    await environment.run(route, { workflowId: `bench-route-${randomUUID()}`, tenantId: 'bench', question: 'Explain step by step why the sky is blue.', maxTokens: 128 });
    return performance.now() - started;
  };
  await routeOnce(true);
  const routing: Record<string, number[]> = { cached: [], uncached: [] };
  for (let run = 0; run < Math.max(100, runs * 5); run += 1) {
    routing.cached!.push(await routeOnce(true));
    routing.uncached!.push(await routeOnce(false));
  }
  await pool.query(`DELETE FROM model_registry WHERE environment = 'staging' AND model LIKE 'bench-%'`);

  console.log(`\nFailure → first token from the fallback (${runs} runs each, ms; stall timeout ${stallMs} ms)`);
  printTable([
    ['path', 'p50', 'p95', 'mean'],
    ['connection dropped mid-stream → fallback', percentile(samples.drop!, 0.5), percentile(samples.drop!, 0.95), mean(samples.drop!)],
    ['stalled mid-stream → fallback', percentile(samples.stall!, 0.5), percentile(samples.stall!, 0.95), mean(samples.stall!)],
    ['stalled, minus the stall timeout', percentile(samples.stall!, 0.5) - stallMs, percentile(samples.stall!, 0.95) - stallMs, mean(samples.stall!) - stallMs],
    ['fresh request TTFT, same server (floor)', percentile(samples.fresh!, 0.5), percentile(samples.fresh!, 0.95), mean(samples.fresh!)],
  ]);
  console.log(`\nRouting decision (route activity, 4 registered models, ${routing.cached!.length} runs, ms)`);
  printTable([
    ['registry read', 'p50', 'p95', 'mean'],
    ['Redis cache', percentile(routing.cached!, 0.5), percentile(routing.cached!, 0.95), mean(routing.cached!)],
    ['Postgres (cache invalidated)', percentile(routing.uncached!, 0.5), percentile(routing.uncached!, 0.95), mean(routing.uncached!)],
  ]);
  proxy.closeAllConnections();
  proxy.close();
  await pool.end();
  redis.disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
