// API server entry, the API's composition root: builds the adapters from configuration (the gateway's too, for
// tests and benchmarks as well), serves, and shuts down gracefully on SIGTERM.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../infra/config.js';
import { createRedis } from '../infra/redis/redis-client.js';
import { EventStream } from '../infra/redis/event-stream.js';
import { createPool } from '../infra/postgres/pool.js';
import { migrate } from '../infra/postgres/migrate.js';
import { startTracing, tracingClientInterceptors } from '../infra/tracing/tracing.js';
import { requireDependency } from '../infra/dependency-check.js';
import { exitOnUnhandledErrors } from '../infra/process-guards.js';
import { buildApp } from './app.js';
import { edgeLimitsOf } from './edge/edge-limits.js';
import { startEmbeddedChatWorker } from '../workers/embedded-chat-worker.js';
import { createMetrics } from '../infra/metrics/metrics.js';
import type { GatewayDependencies } from './gateway/gateway-dependencies.js';
import type { Pool } from '../infra/postgres/pool.js';
import type { Redis } from '../infra/redis/redis-client.js';
import { CachedModelRegistry } from '../infra/registry/cached-model-registry.js';
import { PostgresModelRegistry } from '../infra/registry/postgres-model-registry.js';
import { RegistryPriceList } from '../infra/registry/registry-price-list.js';
import { RegistryModelCatalog } from '../infra/registry/registry-model-catalog.js';
import { RedisCircuitBreakers } from '../infra/registry/redis-circuit-breakers.js';
import { RedisLatencyStats } from '../infra/registry/redis-latency-stats.js';
import { IdentityStore } from '../infra/gateway/identity-store.js';
import { JwtVerifier } from '../infra/gateway/jwt-verifier.js';
import { RedisRateLimiter } from '../infra/gateway/redis-rate-limiter.js';
import { ResponseCache } from '../infra/gateway/response-cache.js';
import { UsageLedger } from '../infra/gateway/usage-ledger.js';
import { credentialChannel } from '../infra/gateway/credential-changes.js';
import { ConversationStore } from '../infra/postgres/conversation-store.js';
import { seedRegistry } from '../infra/registry/seed-registry.js';
import { collectionName } from '../infra/vector-store/collection-name.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const config = loadConfig();
  const tracing = startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? 'ragtime-api', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  const pool = createPool(config.DATABASE_URL);
  // Fail fast, naming the dependency, rather than serve requests that can only fail.
  await requireDependency('Redis', config.REDIS_URL, () => redis.ping());
  await requireDependency('PostgreSQL', config.DATABASE_URL, () => pool.query('SELECT 1'));
  await migrate(pool);
  let connection!: Connection;
  await requireDependency('Temporal', config.TEMPORAL_ADDRESS, async () => { connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS }); }, 15_000);
  const metrics = createMetrics();
  const gateway = createGatewayDependencies(config, { pool, redis });
  // The API offers what the registry holds; an empty one gets the configured model, as the workers do.
  await seedRegistry(gateway.registry, config);
  // With an embedded chat worker the client shares its connection, which is what makes eager starts possible
  // (the checked connection is then not needed).
  const embedded = config.API_EMBEDDED_WORKER ? await startEmbeddedChatWorker(config, { metrics, tracing }) : undefined;
  if (embedded) await connection.close();
  const temporal = new Client({ connection: embedded?.connection ?? connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: tracing ? tracingClientInterceptors() : undefined });
  // The app owns the adapters from here: it closes them (and stops the embedded worker) when it closes.
  const app = await buildApp({
    metrics,
    temporal,
    redis,
    pool,
    events: new EventStream(redis, config.EVENT_STREAM_TTL_SECONDS),
    gateway,
    ...(embedded ? { embeddedWorker: embedded } : {}),
    ...(tracing ? { tracing } : {}),
    taskQueue: config.CHAT_TASK_QUEUE,
    maxMessageBytes: config.WS_MAX_MESSAGE_BYTES,
    edge: edgeLimitsOf(config),
    logLevel: config.LOG_LEVEL,
    logPrompts: config.LOG_PROMPTS,
    ingestionTaskQueue: config.INGESTION_TASK_QUEUE,
    webDirectory: webClientDirectory(),
    uploads: {
      directory: path.resolve(config.INGESTION_UPLOAD_DIRECTORY),
      maxBytes: config.INGESTION_MAX_DOCUMENT_BYTES,
      collection: collectionName({ model: config.EMBEDDINGS_MODEL, dimensions: config.EMBEDDINGS_DIMENSIONS }),
    },
    temporalRunsUrl: `${config.TEMPORAL_UI_URL}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}`,
  });
  exitOnUnhandledErrors(app.log);
  const shutdown = async (signal: string) => {
    app.log.info({ signal, drainSeconds: config.API_DRAIN_SECONDS }, 'draining');
    await app.drain(config.API_DRAIN_SECONDS * 1000);
    app.log.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  // Handled every time: a launcher (tsx, a shell) may relay the same SIGTERM the process group already got,
  // and a second signal must not kill the drain that the first one started.
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return app.log.info({ signal }, 'already draining');
    stopping = true;
    shutdown(signal).catch((error: unknown) => {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await app.listen({ host: config.API_HOST, port: config.API_PORT });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

/** web/dist beside the sources (tsx) or beside dist/ (the compiled API runs from dist/api). */
function webClientDirectory(): string {
  const candidates = [path.join(projectRoot, 'web', 'dist'), path.join(projectRoot, '..', 'web', 'dist')];
  return candidates.find((candidate) => existsSync(path.join(candidate, 'index.html'))) ?? candidates[0]!;
}

/** The gateway's stores, limiter, cache, registry and settings over the process's pool and Redis. */
export function createGatewayDependencies(config: Config, adapters: { pool: Pool; redis: Redis }): GatewayDependencies {
  const jwtConfigured = config.AUTH_JWT_ISSUER && config.AUTH_JWT_AUDIENCE && (config.AUTH_JWT_SECRET || config.AUTH_JWT_JWKS_URL);
  const registry = new CachedModelRegistry(new PostgresModelRegistry(adapters.pool), adapters.redis, { ttlSeconds: config.REGISTRY_CACHE_TTL_SECONDS });
  return {
    identities: new IdentityStore(adapters.pool),
    ledger: new UsageLedger(adapters.pool),
    conversations: new ConversationStore(adapters.pool),
    sharedLimiter: new RedisRateLimiter(adapters.redis),
    prices: new RegistryPriceList(registry, config.MODEL_ENVIRONMENT, config.MODEL_PRICES),
    cache: new ResponseCache(adapters.redis, config.RESPONSE_CACHE_TTL_SECONDS),
    jwt: jwtConfigured ? new JwtVerifier({
      issuer: config.AUTH_JWT_ISSUER!,
      audience: config.AUTH_JWT_AUDIENCE!,
      secret: config.AUTH_JWT_SECRET,
      jwksUrl: config.AUTH_JWT_JWKS_URL,
      algorithms: config.AUTH_JWT_ALGORITHMS,
      clockToleranceSeconds: config.AUTH_JWT_CLOCK_TOLERANCE_SECONDS,
    }) : undefined,
    models: new RegistryModelCatalog(registry, config.MODEL_ENVIRONMENT),
    registry,
    environment: config.MODEL_ENVIRONMENT,
    breakers: new RedisCircuitBreakers(adapters.redis, {
      failureThreshold: config.BREAKER_FAILURE_THRESHOLD, openMs: config.BREAKER_OPEN_MS, probeLeaseMs: config.BREAKER_PROBE_LEASE_MS,
    }),
    latency: new RedisLatencyStats(adapters.redis),
    fusionMaxModels: config.FUSION_MAX_MODELS,
    ...(config.ADMIN_API_TOKEN_SHA256 ? { adminTokenSha256: config.ADMIN_API_TOKEN_SHA256 } : {}),
    defaultModel: config.LLM_MODEL,
    tiers: config.GATEWAY_TIERS,
    orgClaim: config.AUTH_JWT_ORG_CLAIM,
    failureMode: config.RATE_LIMIT_FAILURE_MODE,
    limiterTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
    leaseMs: config.STREAM_LEASE_SECONDS * 1000,
    embeddings: { baseUrl: config.EMBEDDINGS_BASE_URL, model: config.EMBEDDINGS_MODEL, apiKey: config.EMBEDDINGS_API_KEY, dimensions: config.EMBEDDINGS_DIMENSIONS },
    credentialRecheck: { intervalMs: config.AUTH_RECHECK_INTERVAL_MS, cacheMs: config.AUTH_RECHECK_CACHE_MS, channel: credentialChannel(config.REDIS_KEY_PREFIX) },
  };
}
