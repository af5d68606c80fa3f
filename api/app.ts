// The API as one fastify plugin tree. Adapters come in from the server entry (or a test).
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Pool } from '../infra/postgres/pool.js';
import type { EventStream } from '../infra/redis/event-stream.js';
import { FallbackRateLimiter } from '../infra/gateway/fallback-rate-limiter.js';
import { LocalRateLimiter } from '../infra/gateway/local-rate-limiter.js';
import { Authenticator } from './gateway/authenticator.js';
import { authenticateHook } from './gateway/authenticate-hook.js';
import { Gate } from './gateway/gate.js';
import { GatewayError } from './gateway/gateway-error.js';
import type { GatewayDependencies } from './gateway/gateway-dependencies.js';
import { chatWebSocketPlugin } from './plugins/chat-websocket.js';
import { healthPlugin } from './plugins/health.js';
import { ingestionPlugin } from './plugins/ingestion.js';
import { openAICompatiblePlugin } from './plugins/openai-compatible.js';
import { usagePlugin } from './plugins/usage.js';

export interface ApiDependencies {
  temporal: Client;
  redis: Redis;
  pool: Pool;
  events: EventStream;
  gateway: GatewayDependencies;
  taskQueue: string;
  /** Task queue of the ingestion worker; 'ingestion' when absent. */
  ingestionTaskQueue?: string;
  maxMessageBytes: number;
  logLevel?: string;
  /** How often reservations whose settling was lost are settled; 0 turns the sweep off. */
  settleSweepSeconds?: number;
}

export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.logLevel ?? 'info', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] },
    bodyLimit: 1024 * 1024,
  });
  app.decorateRequest('principal', null);
  app.setErrorHandler((error: FastifyError | GatewayError, request, reply) => {
    if (error instanceof GatewayError) return reply.code(error.statusCode).headers(error.headers).send(error.body());
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({ error: { message: 'Internal error.', type: 'api_error', code: 'internal', param: null } });
    }
    const code = error.validation ? 'bad_request' : (error.code ?? 'bad_request');
    return reply.code(status).send({ error: { message: error.message, type: 'invalid_request_error', code, param: null } });
  });

  const { gateway } = deps;
  const authenticator = new Authenticator({ identities: gateway.identities, jwt: gateway.jwt, orgClaim: gateway.orgClaim, tiers: gateway.tiers });
  const limiter = new FallbackRateLimiter(gateway.sharedLimiter, new LocalRateLimiter(), {
    failureMode: gateway.failureMode, timeoutMs: gateway.limiterTimeoutMs, logger: app.log,
  });
  const gate = new Gate({
    limiter, ledger: gateway.ledger, prices: gateway.prices, tiers: gateway.tiers, temporal: deps.temporal,
    leaseMs: gateway.leaseMs, defaultModel: gateway.defaultModel, logger: app.log,
  });
  const authenticate = authenticateHook(authenticator);
  app.addHook('onClose', async () => gate.drain(5_000));

  const sweepSeconds = deps.settleSweepSeconds ?? 60;
  if (sweepSeconds > 0) {
    const timer = setInterval(() => {
      gate.sweep(sweepSeconds * 2, (orgId, userId) => authenticator.principalFor(orgId, userId))
        .catch((error) => app.log.error({ err: error }, 'usage settle sweep failed'));
    }, sweepSeconds * 1000).unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

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
    gate,
    authenticate,
  });
  await app.register(openAICompatiblePlugin, {
    temporal: deps.temporal,
    events: deps.events,
    redis: deps.redis,
    taskQueue: deps.taskQueue,
    gate,
    authenticate,
    models: gateway.models,
    cache: gateway.cache,
    embeddings: gateway.embeddings,
  });
  await app.register(ingestionPlugin, { temporal: deps.temporal, taskQueue: deps.ingestionTaskQueue ?? 'ingestion', authenticate });
  await app.register(usagePlugin, { authenticate, ledger: gateway.ledger, conversations: gateway.conversations });
  return app;
}
