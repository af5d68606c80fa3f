// An in-process Ragtime stack for tests: a chat worker on its own task queue and the API on a free port,
// against the real services from the global setup.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../api/app.js';
import { edgeLimitsOf } from '../../api/edge/edge-limits.js';
import { createGatewayDependencies } from '../../api/server.js';
import { seedRegistry } from '../../infra/registry/seed-registry.js';
import { createRedis } from '../../infra/redis/redis-client.js';
import { EventStream } from '../../infra/redis/event-stream.js';
import { createPool } from '../../infra/postgres/pool.js';
import { createChatWorker } from '../../workers/chat-worker.js';
import { startEmbeddedChatWorker } from '../../workers/embedded-chat-worker.js';
import { tracingClientInterceptors, type Tracing } from '../../infra/tracing/tracing.js';
import type { Config } from '../../infra/config.js';
import { collectionName } from '../../infra/vector-store/collection-name.js';
import { installRuntimeOnce, runInProcess, type RunningWorker } from './in-process-worker.js';
import { projectRoot } from './processes.js';
import { services, testConfig } from './services.js';

export type { RunningWorker };

/** With `tracing`, the workflows are bundled at start so the bundle carries the tracing interceptors (slower). */
export async function startWorker(taskQueue: string, overrides: Record<string, string> = {}, options: { tracing?: Tracing } = {}): Promise<RunningWorker> {
  return startConfiguredWorker(testConfig({ ...overrides, CHAT_TASK_QUEUE: taskQueue }), options);
}

/** A chat worker in this process with exactly `config` (the SDK runtime is installed once per process). */
export async function startConfiguredWorker(config: Config, options: { tracing?: Tracing } = {}): Promise<RunningWorker> {
  installRuntimeOnce();
  const { worker, close } = await createChatWorker(config, options.tracing ? { tracing: options.tracing } : { workflowBundlePath: services().chatBundlePath });
  return runInProcess(worker, close);
}

export interface TestApi {
  url: string;
  wsUrl: string;
  temporal: Client;
  /** With `embeddedWorker`: the identity of the chat worker inside the API, as histories show it. */
  embeddedWorkerIdentity?: string;
  events: EventStream;
  close(): Promise<void>;
}

/** The API with the gateway; `overrides` are environment variables (tier limits, prices, JWT settings…). */
/** With `embeddedWorker`, a chat worker runs inside the API and chat turns start eagerly (API_EMBEDDED_WORKER). */
export async function startApi(taskQueue: string, overrides: Record<string, string> = {}, options: { tracing?: boolean; logLevel?: string; logDestination?: NodeJS.WritableStream; embeddedWorker?: boolean } = {}): Promise<TestApi> {
  const config = testConfig({ ...overrides, CHAT_TASK_QUEUE: taskQueue });
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  const pool = createPool(config.DATABASE_URL);
  if (options.embeddedWorker) installRuntimeOnce();
  const embedded = options.embeddedWorker
    ? await startEmbeddedChatWorker(config, { installRuntime: false, workflowBundlePath: services().chatBundlePath })
    : undefined;
  const connection = embedded?.connection ?? await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: options.tracing ? tracingClientInterceptors() : undefined });
  const events = new EventStream(redis, config.EVENT_STREAM_TTL_SECONDS);
  const gateway = createGatewayDependencies(config, { pool, redis });
  await seedRegistry(gateway.registry, config);
  // The app closes the adapters (and stops the embedded worker) when it closes.
  const app = await buildApp({
    temporal, redis, pool, events, gateway, ...(embedded ? { embeddedWorker: embedded } : {}),
    taskQueue, ingestionTaskQueue: config.INGESTION_TASK_QUEUE, maxMessageBytes: config.WS_MAX_MESSAGE_BYTES, edge: edgeLimitsOf(config),
    logLevel: options.logLevel ?? 'warn', ...(options.logDestination ? { logDestination: options.logDestination } : {}),
    webDirectory: path.join(projectRoot, 'web', 'dist'),
    uploads: {
      directory: overrides.INGESTION_UPLOAD_DIRECTORY ?? await mkdtemp(path.join(tmpdir(), 'ragtime-uploads-')),
      maxBytes: config.INGESTION_MAX_DOCUMENT_BYTES,
      collection: collectionName({ model: config.EMBEDDINGS_MODEL, dimensions: config.EMBEDDINGS_DIMENSIONS }),
    },
    temporalRunsUrl: `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}`,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/v1/chat/ws`,
    temporal,
    events,
    ...(embedded ? { embeddedWorkerIdentity: embedded.identity } : {}),
    async close() {
      await app.close();
    },
  };
}

export function uniqueTaskQueue(name: string): string {
  return `chat-test-${name}-${randomUUID().slice(0, 8)}`;
}
