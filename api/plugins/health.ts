import type { FastifyInstance } from 'fastify';
import { Health, Readiness } from '../openapi/response-schemas.js';
import { publicRoute } from './openapi.js';

export type ReadinessCheck = () => Promise<void>;

/** Liveness says the process serves; readiness says every dependency answers. */
export async function healthPlugin(app: FastifyInstance, options: { checks: Record<string, ReadinessCheck> }): Promise<void> {
  app.get('/healthz', { schema: { ...publicRoute, response: { 200: Health } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { ...publicRoute, response: { 200: Readiness, 503: Readiness } } }, async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2_000);
          return [name, 'ok'] as const;
        } catch (error) {
          app.log.warn({ dependency: name, err: error }, 'readiness check failed');
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', dependencies: Object.fromEntries(results) });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}
