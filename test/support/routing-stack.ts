// Helpers for the routing suites: a chat worker with its own settings (environment, breaker threshold,
// stall limits, Redis prefix), a registry client on the same database and Redis, and a Temporal client.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createPool, type Pool } from '../../infra/postgres/pool.js';
import { createRedis, type Redis } from '../../infra/redis/redis-client.js';
import { EventStream } from '../../infra/redis/event-stream.js';
import { CachedModelRegistry } from '../../infra/registry/cached-model-registry.js';
import { PostgresModelRegistry } from '../../infra/registry/postgres-model-registry.js';
import type { Config } from '../../infra/config.js';
import type { ChatEvent } from '../../domain/chat/events.js';
import { services, testConfig } from './services.js';

export { startConfiguredWorker } from './stack.js';

export interface RoutingHarness {
  config: Config;
  pool: Pool;
  redis: Redis;
  registry: CachedModelRegistry;
  events: EventStream;
  temporal: Client;
  close(): Promise<void>;
}

/** Settings for one suite: its own Redis prefix (cache, breakers, latency) and a cleared environment. */
export async function routingHarness(overrides: Record<string, string>): Promise<RoutingHarness> {
  const config = testConfig({ REDIS_KEY_PREFIX: `${services().redisKeyPrefix}${randomUUID().slice(0, 6)}:`, ...overrides });
  const pool = createPool(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  await pool.query('DELETE FROM model_registry WHERE environment = $1', [config.MODEL_ENVIRONMENT]).catch(() => undefined);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  return {
    config,
    pool,
    redis,
    registry: new CachedModelRegistry(new PostgresModelRegistry(pool), redis, { ttlSeconds: config.REGISTRY_CACHE_TTL_SECONDS }),
    events: new EventStream(redis, 600),
    temporal: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
    async close() {
      await pool.query('DELETE FROM model_registry WHERE environment = $1', [config.MODEL_ENVIRONMENT]).catch(() => undefined);
      await connection.close();
      await pool.end();
      redis.disconnect();
    },
  };
}

/** The answer rebuilt from the stream, failing on any gap or overlap between deltas. */
export function streamedAnswer(events: ChatEvent[]): string {
  let text = '';
  for (const event of events.filter((candidate) => candidate.type === 'answer.delta')) {
    if (event.data.offset !== text.length) throw new Error(`delta at offset ${String(event.data.offset)} after ${text.length} characters`);
    text += String(event.data.text);
  }
  return text;
}

export async function waitForEvents(events: EventStream, workflowId: string, predicate: (received: ChatEvent[]) => boolean, timeoutMs = 90_000): Promise<ChatEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const received = await events.range(workflowId, 0);
    if (predicate(received)) return received;
    if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(received.map((event) => event.type))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Activity results of a workflow run, parsed. */
export async function activityResults(temporal: Client, workflowId: string): Promise<Record<string, unknown>[]> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  return history.events!
    .map((event) => event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data)
    .filter((data): data is Uint8Array => !!data && data.length > 0)
    .map((data) => JSON.parse(Buffer.from(data).toString()) as Record<string, unknown>);
}
