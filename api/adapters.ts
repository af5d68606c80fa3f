// The adapters the API shares (Postgres pool, Redis, the Temporal client, the event stream, the gateway's
// stores and registry cache) as decorators of the app, each closed by an onClose hook when the app closes:
// whoever builds them (the server entry, a test) hands them over and closes only the app.
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Pool } from '../infra/postgres/pool.js';
import type { EventStream } from '../infra/redis/event-stream.js';
import type { GatewayDependencies } from './gateway/gateway-dependencies.js';

export interface ApiAdapters {
  temporal: Client;
  redis: Redis;
  pool: Pool;
  events: EventStream;
  gateway: GatewayDependencies;
  /**
   * A chat worker in this process sharing the Temporal client's connection (API_EMBEDDED_WORKER): chat turns
   * start eagerly. It stops when the app closes, after the open streams drained and before the connection closes.
   */
  embeddedWorker?: { stop(): Promise<void> };
  /** Flushed last, once everything that makes spans has stopped. */
  tracing?: { shutdown(): Promise<void> };
}

declare module 'fastify' {
  interface FastifyInstance {
    temporal: Client;
    redis: Redis;
    pool: Pool;
    events: EventStream;
    gateway: GatewayDependencies;
  }
}

/**
 * Call first, on the root instance: onClose hooks run last-added-first, so the routes' own cleanup (relays,
 * credential watches, timers) runs before these, and these run in the order below.
 */
export function decorateAdapters(app: FastifyInstance, adapters: ApiAdapters): void {
  const { temporal, redis, pool, events, gateway, embeddedWorker, tracing } = adapters;
  // Added in reverse of the order they run: the embedded worker stops, then the Temporal connection, the pool
  // and Redis close, and tracing flushes.
  if (tracing) app.addHook('onClose', async () => tracing.shutdown());
  app.decorate('redis', redis).addHook('onClose', async () => closeRedis(redis));
  app.decorate('pool', pool).addHook('onClose', async () => pool.end());
  app.decorate('temporal', temporal).addHook('onClose', async () => temporal.connection.close());
  if (embeddedWorker) app.addHook('onClose', async () => embeddedWorker.stop());
  app.decorate('events', events);
  app.decorate('gateway', gateway);
}

/** QUIT lets the commands already sent (a closing socket's lease release) get their replies; a Redis that does not answer within a second is dropped. */
async function closeRedis(redis: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([redis.quit().catch(() => undefined), new Promise((resolve) => { timer = setTimeout(resolve, 1_000); })]);
  clearTimeout(timer);
  redis.disconnect();
}
