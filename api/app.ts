// The API as one fastify plugin tree. Adapters come in from the server entry (or a test).
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { decorateAdapters, type ApiAdapters } from './adapters.js';
import { BlockingConnectionPool } from '../infra/redis/blocking-connections.js';
import { RedisEventFeed } from '../infra/redis/event-feed.js';
import { FallbackRateLimiter } from '../infra/gateway/fallback-rate-limiter.js';
import { LocalRateLimiter } from '../infra/gateway/local-rate-limiter.js';
import { Authenticator } from './gateway/authenticator.js';
import { authenticateHook } from './gateway/authenticate-hook.js';
import { CredentialWatch } from './gateway/credential-watch.js';
import { subscribeCredentialChanges } from '../infra/gateway/credential-changes.js';
import { Gate } from './gateway/gate.js';
import { GatewayError } from './gateway/gateway-error.js';
import { chatWebSocketPlugin } from './plugins/chat-websocket.js';
import { healthPlugin } from './plugins/health.js';
import { ingestionPlugin } from './plugins/ingestion.js';
import { openAICompatiblePlugin } from './plugins/openai-compatible.js';
import { fusionPlugin } from './plugins/fusion.js';
import { providersPlugin } from './plugins/providers.js';
import { ProviderMetrics } from '../infra/gateway/provider-metrics.js';
import { openAIResponsesPlugin } from './plugins/openai-responses.js';
import { usagePlugin } from './plugins/usage.js';
import { conversationsPlugin } from './plugins/conversations.js';
import { ingestionUploadsPlugin } from './plugins/ingestion-uploads.js';
import { webClientPlugin } from './plugins/web-client.js';
import { IngestionStore } from '../infra/ingestion/ingestion-store.js';
import { metricsPlugin } from './plugins/metrics.js';
import { openApiPlugin } from './plugins/openapi.js';
import { EdgeError, clientErrorHandler, installEdgeGuards, paramOf } from './edge/http-edge.js';
import { defaultEdgeLimits, type EdgeLimits } from './edge/edge-limits.js';
import { loggerOptions } from '../infra/logger.js';
import { createMetrics, type Metrics } from '../infra/metrics/metrics.js';
import { budgetUsedRatios } from '../infra/metrics/budget-usage.js';
import type { GateObserver } from './gateway/gate.js';
import { InFlight } from './chat/in-flight.js';
import { ModelCapabilityCheck } from './openai/request-capabilities.js';
import { RouteMethods } from './edge/route-methods.js';

/** The adapters (closed with the app) and the settings of the routes. */
export interface ApiDependencies extends ApiAdapters {
  taskQueue: string;
  /** Task queue of the ingestion worker; 'ingestion' when absent. */
  ingestionTaskQueue?: string;
  maxMessageBytes: number;
  /** Timeouts and socket caps at the edge; the defaults of infra/config.ts when absent. */
  edge?: Partial<EdgeLimits>;
  logLevel?: string;
  /** How often reservations nobody will settle (their workflow never started) are expired; 0 turns the sweep off. */
  settleSweepSeconds?: number;
  /** Log prompt and answer text (secrets stay redacted). */
  logPrompts?: boolean;
  /** Where log lines go; standard output when absent (tests read them). */
  logDestination?: NodeJS.WritableStream;
  /** The registry /metrics serves; a fresh one when absent. */
  metrics?: Metrics;
  /** The built web client (web/dist), served at /; absent: not served. */
  webDirectory?: string;
  /** File uploads for ingestion (a folder the ingestion worker shares) and the catalog's collection; absent: no upload routes. */
  uploads?: { directory: string; maxBytes: number; collection: string };
  /** Temporal UI base with the namespace, for the runs a conversation's turns link to. */
  temporalRunsUrl?: string;
}

/** Fastify's own refusals under the codes an OpenAI client expects to read. */
const frameworkCodes: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

function gateMetrics(metrics: Metrics): GateObserver {
  return {
    rateLimited: (scope) => metrics.rateLimitRejections.inc({ scope }),
    settled: ({ model, tier, usage, costMicros, cached }) => {
      if (cached) metrics.cacheHits.inc();
      metrics.tokens.inc({ model, tier, direction: 'input' }, usage.promptTokens);
      metrics.tokens.inc({ model, tier, direction: 'output' }, usage.completionTokens);
      metrics.costUsd.inc({ model, tier }, costMicros / 1e6);
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Graceful shutdown, before close(): refuses new requests (503, readiness too), lets the answers being
     * relayed finish, then gives open WebSockets `closeGraceMs` to receive their last events and leave; all
     * within `timeoutMs`. Chat turns settle their own usage in their workflows.
     */
    drain(timeoutMs: number, closeGraceMs?: number): Promise<void>;
  }
}

export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const edge: EdgeLimits = { ...defaultEdgeLimits, ...deps.edge };
  // Handlers are typed from their route schemas (TypeBox); validation stays the edge's ajv (installEdgeGuards).
  const app = Fastify({
    logger: { ...loggerOptions(deps.logLevel ?? 'info', { logPrompts: deps.logPrompts }), ...(deps.logDestination ? { stream: deps.logDestination } : {}) },
    bodyLimit: 1024 * 1024,
    // A client that trickles its headers or its body is answered 408 and cut off; Node checks every second.
    requestTimeout: edge.requestTimeoutMs,
    clientErrorHandler,
    // The router's own refusals (a path parameter over its length, a malformed URL) in the error shape too.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply).code(error.statusCode ?? 400).send({ error: { message: error.message, type: 'invalid_request_error', code: error.code ?? 'bad_request', param: null } });
    },
    http: { headersTimeout: Math.min(edge.headersTimeoutMs, edge.requestTimeoutMs), connectionsCheckingInterval: 1_000 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // First: the adapters' onClose hooks then run after every route's own cleanup.
  decorateAdapters(app, deps);
  installEdgeGuards(app);
  const routeMethods = new RouteMethods(app);
  app.decorateRequest('principal', null);
  app.setErrorHandler((error: FastifyError | GatewayError, request, reply) => {
    if (error instanceof GatewayError) return reply.code(error.statusCode).headers(error.headers).send(error.body());
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({ error: { message: 'Internal error.', type: 'api_error', code: 'internal', param: null } });
    }
    const code = error.validation ? 'bad_request' : frameworkCodes[error.code] ?? error.code ?? 'bad_request';
    const param = error instanceof EdgeError ? error.param : paramOf(error);
    return reply.code(status).send({ error: { message: error.message, type: 'invalid_request_error', code, param } });
  });
  // After the error handler: the routes these add answer their errors in the same shape.
  await app.register(openApiPlugin);
  const metrics = deps.metrics ?? createMetrics();
  await app.register(metricsPlugin, { metrics });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = routeMethods.allowed(path);
    if (allowed.length > 0) {
      return reply.code(405).header('allow', allowed.join(', ')).send({
        error: { message: `${request.method} is not allowed on ${path.slice(0, 200)}; use ${allowed.join(' or ')}.`, type: 'invalid_request_error', code: 'method_not_allowed', param: null },
      });
    }
    return reply.code(404).send({
      error: { message: `No route ${request.method} ${path.slice(0, 200)}.`, type: 'invalid_request_error', code: 'not_found', param: null },
    });
  });

  const { gateway } = app;
  metrics.sources.budgetUsedRatios = () => budgetUsedRatios(app.pool, gateway.tiers);
  const authenticator = new Authenticator({ identities: gateway.identities, jwt: gateway.jwt, orgClaim: gateway.orgClaim, tiers: gateway.tiers });
  const limiter = new FallbackRateLimiter(gateway.sharedLimiter, new LocalRateLimiter(), {
    failureMode: gateway.failureMode, timeoutMs: gateway.limiterTimeoutMs, logger: app.log,
  });
  const gate = new Gate({
    limiter, ledger: gateway.ledger, prices: gateway.prices, tiers: gateway.tiers, temporal: app.temporal,
    leaseMs: gateway.leaseMs, defaultModel: gateway.defaultModel, logger: app.log, observer: gateMetrics(metrics),
  });
  const authenticate = authenticateHook(authenticator);
  app.decorateRequest('credential', null);
  const credentials = new CredentialWatch({
    recheck: (token) => authenticator.recheck(token),
    intervalMs: gateway.credentialRecheck.intervalMs,
    cacheMs: gateway.credentialRecheck.cacheMs,
    logger: app.log,
  });
  // Without Redis, credential changes are still caught by the periodic re-check.
  let subscriptionWarned = false;
  const unsubscribe = subscribeCredentialChanges(app.redis, gateway.credentialRecheck.channel, (change) => credentials.changed(change), (error) => {
    if (subscriptionWarned) return;
    subscriptionWarned = true;
    app.log.warn({ err: error }, 'credential changes cannot be received from Redis; open sockets are still re-checked periodically');
  });
  app.addHook('onClose', async () => {
    credentials.close();
    unsubscribe();
  });
  const inFlight = new InFlight();

  // Log lines of an authenticated request carry its tenant (reqId is fastify's own); a chat connection's
  // lines inherit it.
  app.addHook('preHandler', async (request) => {
    if (request.principal) request.log = request.log.child({ tenantId: request.principal.orgId });
  });

  let draining = false;
  app.addHook('onRequest', async (request, reply) => {
    if (!draining || request.url === '/healthz' || request.url === '/metrics') return;
    // Readiness answers in its own (documented) shape: load balancers read the 503, operators the status.
    if (request.url.split('?')[0] === '/readyz') return reply.code(503).header('connection', 'close').send({ status: 'draining', dependencies: {} });
    return reply.code(503).header('connection', 'close').header('retry-after', '1')
      .send({ error: { message: 'The server is shutting down; retry on another instance.', type: 'api_error', code: 'shutting_down', param: null } });
  });
  const socketsClosed = async (deadline: number) => {
    while (Date.now() < deadline && (await metrics.websocketConnections.get()).values.some((sample) => sample.value > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  app.decorate('drain', async (timeoutMs: number, closeGraceMs = 5_000) => {
    draining = true;
    const deadline = Date.now() + timeoutMs;
    await inFlight.drain(timeoutMs);
    await socketsClosed(Math.min(deadline, Date.now() + closeGraceMs));
  });
  // Runs after the chat plugin closed its sockets (hooks run last-added-first) and before Redis closes: each
  // socket releases its lease in Redis as it goes.
  app.addHook('onClose', async () => socketsClosed(Date.now() + 1_000));

  const sweepSeconds = deps.settleSweepSeconds ?? 60;
  if (sweepSeconds > 0) {
    const timer = setInterval(() => {
      gate.sweep(sweepSeconds * 2, (orgId, userId) => authenticator.principalFor(orgId, userId))
        .catch((error) => app.log.error({ err: error }, 'usage reservation sweep failed'));
    }, sweepSeconds * 1000).unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  await app.register(healthPlugin, {
    checks: {
      redis: async () => void (await app.redis.ping()),
      postgres: async () => void (await app.pool.query('SELECT 1')),
      temporal: async () => void (await app.temporal.connection.workflowService.getSystemInfo({})),
    },
  });
  // Blocking-read connections shared by the WebSocket and the streamed completions' relays.
  const relayConnections = new BlockingConnectionPool(app.redis);
  app.addHook('onClose', async () => relayConnections.close());
  // Eager starts need a worker polling on this process's connection: the embedded one.
  const chatStart = { taskQueue: deps.taskQueue, eager: deps.embeddedWorker !== undefined };
  const feed = new RedisEventFeed(app.events, relayConnections);
  await app.register(chatWebSocketPlugin, {
    temporal: app.temporal,
    feed,
    chatStart,
    maxMessageBytes: deps.maxMessageBytes,
    limits: edge,
    redis: app.redis,
    gate,
    inFlight,
    authenticate,
    credentials,
  });
  // Chat requests are checked against the capabilities of the registry the API lists and the router reads.
  const capabilities = new ModelCapabilityCheck(gateway.registry, gateway.environment);
  // What the three routes that run a chat turn (completions, responses, fusion) share.
  const chatTurnRoute = {
    temporal: app.temporal,
    feed,
    chatStart,
    gate,
    authenticate,
    models: gateway.models,
  };
  await app.register(openAICompatiblePlugin, {
    ...chatTurnRoute,
    capabilities,
    cache: gateway.cache,
    embeddings: gateway.embeddings,
  });
  await app.register(openAIResponsesPlugin, {
    ...chatTurnRoute,
    capabilities,
    conversations: gateway.conversations,
  });
  await app.register(fusionPlugin, {
    ...chatTurnRoute,
    maxModels: gateway.fusionMaxModels,
  });
  await app.register(providersPlugin, {
    authenticate,
    registry: gateway.registry,
    environment: gateway.environment,
    breakers: gateway.breakers,
    latency: gateway.latency,
    metrics: new ProviderMetrics(app.pool),
    ...(gateway.adminTokenSha256 ? { adminTokenSha256: gateway.adminTokenSha256 } : {}),
  });
  await app.register(ingestionPlugin, { temporal: app.temporal, taskQueue: deps.ingestionTaskQueue ?? 'ingestion', authenticate });
  await app.register(usagePlugin, { authenticate, ledger: gateway.ledger, conversations: gateway.conversations });
  await app.register(conversationsPlugin, { authenticate, conversations: gateway.conversations, temporalRunsUrl: deps.temporalRunsUrl ?? 'http://127.0.0.1:8233/namespaces/default' });
  if (deps.uploads) {
    await app.register(ingestionUploadsPlugin, {
      temporal: app.temporal, taskQueue: deps.ingestionTaskQueue ?? 'ingestion', authenticate,
      // Read-only here: the catalog listing does not depend on the vector store's location.
      store: new IngestionStore(app.pool, deps.uploads.collection, 'api-catalog-reader'), uploadDirectory: deps.uploads.directory, maxUploadBytes: deps.uploads.maxBytes,
    });
  }
  if (deps.webDirectory) await app.register(webClientPlugin, { directory: deps.webDirectory });
  return app;
}
