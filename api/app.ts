// The API as one fastify plugin tree. Adapters come in from the server entry (or a test).
import Fastify, { type FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Pool } from '../infra/postgres/pool.js';
import type { EventStream } from '../infra/redis/event-stream.js';
import { chatWebSocketPlugin } from './plugins/chat-websocket.js';
import { healthPlugin } from './plugins/health.js';

export interface ApiDependencies {
  temporal: Client;
  redis: Redis;
  pool: Pool;
  events: EventStream;
  taskQueue: string;
  maxMessageBytes: number;
  defaultTenant: string;
  logLevel?: string;
}

export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.logLevel ?? 'info', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] },
    bodyLimit: 1024 * 1024,
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({ error: { code: 'internal', message: 'Internal error.' } });
    }
    return reply.code(status).send({ error: { code: error.code ?? 'bad_request', message: error.message } });
  });
  await app.register(healthPlugin, {
    checks: {
      redis: async () => void (await deps.redis.ping()),
      postgres: async () => void (await deps.pool.query('SELECT 1')),
      temporal: async () => void (await deps.temporal.connection.workflowService.getSystemInfo({})),
    },
  });
  await app.register(chatWebSocketPlugin, {
    temporal: deps.temporal,
    events: deps.events,
    redis: deps.redis,
    taskQueue: deps.taskQueue,
    maxMessageBytes: deps.maxMessageBytes,
    defaultTenant: deps.defaultTenant,
  });
  return app;
}
