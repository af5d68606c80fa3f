// The API's /metrics: request counts and latency per route pattern (never the raw URL), open chat
// WebSockets (an upgrade counts once with status 101 and the gauge falls when its socket closes), and
// whatever else the app records into the same registry (rate-limit rejections, cache hits, tokens, cost).
import { publicRoute } from './openapi.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Metrics } from '../../infra/metrics/metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** process.hrtime.bigint() when the request arrived (null before the metrics hook ran). */
    metricsStartedAt: bigint | null;
    /** An accepted WebSocket upgrade, counted once as 101 when it was accepted. */
    metricsUpgraded: boolean;
  }
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

function observe(metrics: Metrics, request: FastifyRequest, status: number): void {
  const started = request.metricsStartedAt;
  const labels = { route: routeOf(request), method: request.method, status: String(status) };
  metrics.httpRequests.inc(labels);
  if (started !== null) metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
}

/** Hooks apply to every route of the app: register it with `skip-override` semantics (see the export). */
async function metricsPluginBody(app: FastifyInstance, options: { metrics: Metrics }): Promise<void> {
  const { metrics } = options;
  app.decorateRequest('metricsStartedAt', null);
  app.decorateRequest('metricsUpgraded', false);
  app.addHook('onRequest', async (request) => {
    request.metricsStartedAt = process.hrtime.bigint();
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.metricsUpgraded) return;
    observe(metrics, request, reply.statusCode);
  });
  // Runs after a route's own onRequest (authentication): only an accepted upgrade is counted as open.
  app.addHook('preHandler', async (request) => {
    if (!isUpgrade(request)) return;
    request.metricsUpgraded = true;
    observe(metrics, request, 101);
    metrics.websocketConnections.inc();
    request.raw.socket.once('close', () => metrics.websocketConnections.dec());
  });
  app.get('/metrics', { logLevel: 'warn', schema: { ...publicRoute, response: { 200: { content: { 'text/plain': { schema: { type: 'string', description: 'Prometheus text format' } } } } } } }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

function isUpgrade(request: FastifyRequest): boolean {
  return request.ws || request.headers.upgrade?.toLowerCase() === 'websocket';
}

export const metricsPlugin = Object.assign(metricsPluginBody, { [Symbol.for('skip-override')]: true });
