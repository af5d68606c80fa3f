// The API's /metrics: request counts and latency per route pattern (never the raw URL), open chat
// WebSockets (an upgrade counts once with status 101 and the gauge falls when its socket closes), and
// whatever else the app records into the same registry (rate-limit rejections, cache hits, tokens, cost).
import { publicRoute } from './openapi.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Metrics } from '../../infra/metrics/metrics.js';

const startedAt = Symbol('ragtimeMetricsStartedAt');
const upgraded = Symbol('ragtimeMetricsUpgraded');
type Timed = FastifyRequest & { [startedAt]?: bigint; [upgraded]?: boolean };

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

function observe(metrics: Metrics, request: FastifyRequest, status: number): void {
  const started = (request as Timed)[startedAt];
  const labels = { route: routeOf(request), method: request.method, status: String(status) };
  metrics.httpRequests.inc(labels);
  if (started !== undefined) metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
}

/** Hooks apply to every route of the app: register it with `skip-override` semantics (see the export). */
async function metricsPluginBody(app: FastifyInstance, options: { metrics: Metrics }): Promise<void> {
  const { metrics } = options;
  app.addHook('onRequest', async (request) => {
    (request as Timed)[startedAt] = process.hrtime.bigint();
  });
  app.addHook('onResponse', async (request, reply) => {
    if ((request as Timed)[upgraded]) return;
    observe(metrics, request, reply.statusCode);
  });
  // Runs after a route's own onRequest (authentication): only an accepted upgrade is counted as open.
  app.addHook('preHandler', async (request) => {
    if (!isUpgrade(request)) return;
    (request as Timed)[upgraded] = true;
    observe(metrics, request, 101);
    metrics.websocketConnections.inc();
    request.raw.socket.once('close', () => metrics.websocketConnections.dec());
  });
  app.get('/metrics', { logLevel: 'warn', schema: { ...publicRoute, response: { 200: { content: { 'text/plain': { schema: { type: 'string', description: 'Prometheus text format' } } } } } } }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

function isUpgrade(request: FastifyRequest): boolean {
  return (request as FastifyRequest & { ws?: boolean }).ws === true || request.headers.upgrade?.toLowerCase() === 'websocket';
}

export const metricsPlugin = Object.assign(metricsPluginBody, { [Symbol.for('skip-override')]: true });
