// Composition root of the ingestion worker: builds the embedder, vector index, Postgres staging and source
// reader from configuration and runs the Temporal worker for task queue "ingestion". Stops gracefully on
// SIGINT/SIGTERM; a killed worker's activities move to another worker after their heartbeat timeout.
// Observability as on the chat worker: /metrics, traces (a job is one trace: its start, the batch workflow,
// each document's child workflow and activities), the SDK's lines as JSON, fail-fast start-up checks.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import { createPool } from '../infra/postgres/pool.js';
import { migrate } from '../infra/postgres/migrate.js';
import { registerSearchAttributes } from '../clients/search-attributes.js';
import { workflowLiveness } from '../infra/temporal/workflow-liveness.js';
import { IngestionStore } from '../infra/ingestion/ingestion-store.js';
import { SourceReader } from '../infra/ingestion/source-reader.js';
import { ParsePool, parsePoolOptions } from '../infra/ingestion/parse-pool.js';
import { TenantIngestionLimits } from '../infra/ingestion/tenant-ingestion-limits.js';
import { createEmbedder, createVectorIndex, vectorStoreOpener } from '../infra/ingestion/vector-adapters.js';
import { collectionName } from '../infra/vector-store/collection-name.js';
import { createIngestionActivities } from '../activities/ingestion/index.js';
import type { Metrics } from '../infra/metrics/metrics.js';
import { activityMetricsInterceptor } from '../infra/metrics/activity-metrics-interceptor.js';
import { ingestionMetricsInterceptor } from '../infra/metrics/ingestion-metrics-interceptor.js';
import { workerInterceptors, type Tracing } from '../infra/tracing/tracing.js';
import { runWhenEntryPoint } from './worker-process.js';

/** Beside this file: the TypeScript sources under tsx, the transpiled JavaScript in dist/ (scripts/build.sh). */
export const ingestionWorkflowsPath = fileURLToPath(new URL(`../workflows/ingestion/index${path.extname(import.meta.url)}`, import.meta.url));

export interface IngestionWorkerOptions {
  /** A prebuilt workflow bundle (tests build one once); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string;
  /** Step timings and documents finished; absent in tests that don't scrape. */
  metrics?: Metrics;
  /** Traces workflows and activities; workflow spans need the workflows bundled at start (no workflowBundlePath). */
  tracing?: Tracing;
  /** Tests only: a module (file URL) whose `parseDocument` the parse threads use instead of the real one. */
  parserModule?: string;
}

export async function createIngestionWorker(config: Config, options: IngestionWorkerOptions = {}) {
  const pool = createPool(config.DATABASE_URL);
  await migrate(pool);
  await registerSearchAttributes(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const embedder = createEmbedder(config);
  const index = createVectorIndex(config, embedder);
  await index.ensureCollection();
  const processor = new ParsePool({ ...parsePoolOptions(config), ...(options.parserModule ? { parserModule: options.parserModule } : {}) });
  const stores = vectorStoreOpener(config, embedder, index);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const activities = createIngestionActivities({
    store: new IngestionStore(pool, collectionName(embedder), index.location),
    index,
    embedder,
    reader: new SourceReader({ maxBytes: config.INGESTION_MAX_DOCUMENT_BYTES, timeoutMs: config.INGESTION_FETCH_TIMEOUT_MS, trustedNetworks: config.INGESTION_TRUSTED_NETWORKS }),
    chunking: { chunkSize: config.CHUNK_SIZE, chunkOverlap: config.CHUNK_OVERLAP },
    processor,
    tenantLimits: new TenantIngestionLimits(pool, {
      maxConcurrentDocuments: config.INGESTION_TENANT_MAX_CONCURRENT_DOCUMENTS,
      slotLeaseSeconds: 30 * 60,
      holderAlive: workflowLiveness(temporal),
      period: config.INGESTION_QUOTA_PERIOD,
      quotas: { documents: config.INGESTION_QUOTA_DOCUMENTS, bytes: config.INGESTION_QUOTA_BYTES, tokens: config.INGESTION_QUOTA_TOKENS },
    }),
    maxChunks: config.INGESTION_MAX_CHUNKS,
    embedBatchSize: config.EMBEDDINGS_BATCH_SIZE,
    openStore: (location) => stores.open(location),
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.INGESTION_TASK_QUEUE,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: ingestionWorkflowsPath }),
    activities,
    maxConcurrentActivityTaskExecutions: 16,
    ...workerInterceptors(options.tracing, {
      activity: options.metrics ? [activityMetricsInterceptor(options.metrics), ingestionMetricsInterceptor(options.metrics)] : [],
      bundledAtStart: !options.workflowBundlePath,
    }),
    shutdownGraceTime: `${config.WORKER_SHUTDOWN_GRACE_SECONDS} seconds`,
  });
  const close = async () => {
    await processor.close();
    await connection.close();
    await stores.closeAll();
    await index.close();
    await pool.end();
  };
  return { worker, close };
}

runWhenEntryPoint(import.meta.url, {
  name: 'ingestion-worker',
  dependencies: (config) => ['PostgreSQL', 'Temporal', 'embedding server', ...(config.VECTOR_STORE === 'qdrant' ? ['Qdrant' as const] : [])],
  create: (config, telemetry) => createIngestionWorker(config, telemetry),
  describe: (config) => ({ taskQueue: config.INGESTION_TASK_QUEUE, vectorStore: config.VECTOR_STORE, embeddings: config.EMBEDDINGS_BASE_URL }),
});
