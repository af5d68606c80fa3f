// API server entry: builds adapters from configuration, serves, and shuts down gracefully on SIGTERM.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../infra/config.js';
import { createRedis } from '../infra/redis/redis-client.js';
import { EventStream } from '../infra/redis/event-stream.js';
import { createPool } from '../infra/postgres/pool.js';
import { migrate } from '../infra/postgres/migrate.js';
import { startTracing, tracingClientInterceptors } from '../infra/tracing/tracing.js';
import { requireDependency } from '../infra/dependency-check.js';
import { exitOnUnhandledErrors } from '../infra/process-guards.js';
import { buildApp } from './app.js';
import { edgeLimitsOf } from './edge/edge-limits.js';
import { startEmbeddedChatWorker } from './embedded-chat-worker.js';
import { createMetrics } from '../infra/metrics/metrics.js';
import { createGatewayDependencies } from './gateway/gateway-dependencies.js';
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
