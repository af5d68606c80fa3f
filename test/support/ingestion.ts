// Helpers for the ingestion suites: an ingestion worker in this process or as a child process (its own
// process group, so a test can kill it), jobs run to completion, and what a corpus should index to.
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { createIngestionWorker } from '../../workers/ingestion-worker.js';
import { tracingClientInterceptors, type Tracing } from '../../infra/tracing/tracing.js';
import { startIngestJob } from '../../clients/ingestion-jobs.js';
import { collectionName } from '../../infra/vector-store/collection-name.js';
import { createVectorIndex } from '../../infra/ingestion/vector-adapters.js';
import { localEmbeddingModel } from '../../infra/embeddings/local-embedding-server.js';
import { chunkDocument, embeddingInput } from '../../ingestion/chunk-document.js';
import { documentId } from '../../ingestion/identifiers.js';
import { parseDocument } from '../../ingestion/parse-document.js';
import type { IngestJobInput, JobProgress } from '../../ingestion/ingestion-job.js';
import type { VectorIndex } from '../../ingestion/ports.js';
import type { ingestBatchWorkflow } from '../../workflows/ingestion/ingest-batch.js';
import { installRuntimeOnce, runInProcess, type RunningWorker } from './in-process-worker.js';
import { projectRoot, startProcess } from './processes.js';
import { services, testConfig, testEnvironment } from './services.js';

export const sampleCorpus = path.join(projectRoot, 'samples', 'corpus');
/** Small chunks, so each sample document has several. */
export const testChunking = { chunkSize: 300, chunkOverlap: 50 };

/** Settings of one suite: its own task queue and vector directory, small chunks. */
export async function ingestionSettings(name: string, overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    INGESTION_TASK_QUEUE: `ingestion-test-${name}-${randomUUID().slice(0, 8)}`,
    VECTOR_STORE_DIRECTORY: await mkdtemp(path.join(tmpdir(), `ragtime-${name}-`)),
    CHUNK_SIZE: String(testChunking.chunkSize),
    CHUNK_OVERLAP: String(testChunking.chunkOverlap),
    ...overrides,
  };
}

/** With `tracing`, the workflows are bundled at start so the bundle carries the tracing interceptors (slower). */
export async function startIngestionWorker(settings: Record<string, string>, options: { tracing?: Tracing; parserModule?: string } = {}): Promise<RunningWorker> {
  installRuntimeOnce();
  const parser = options.parserModule ? { parserModule: options.parserModule } : {};
  const { worker, close } = await createIngestionWorker(testConfig(settings), options.tracing ? { tracing: options.tracing, ...parser } : { workflowBundlePath: services().ingestionBundlePath, ...parser });
  return runInProcess(worker, close);
}

/** The worker as its own process (tsx workers/ingestion-worker.ts), in its own process group. */
export function startIngestionWorkerProcess(name: string, settings: Record<string, string>): ChildProcess {
  return startProcess(name, path.join(projectRoot, 'node_modules', '.bin', 'tsx'), ['workers/ingestion-worker.ts'], testEnvironment(settings));
}

/** With `tracing`, starting a workflow opens a span whose context the run continues. */
export async function temporalClient(options: { tracing?: boolean } = {}): Promise<{ temporal: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: services().temporalAddress });
  return { temporal: new Client({ connection, interceptors: options.tracing ? tracingClientInterceptors() : undefined }), close: () => connection.close() };
}

export async function runJob(temporal: Client, settings: Record<string, string>, input: Omit<IngestJobInput, 'jobId' | 'resume'> & { jobId?: string }): Promise<JobProgress & { workflowId: string }> {
  const jobId = input.jobId ?? `job-${randomUUID().slice(0, 8)}`;
  const { workflowId } = await startIngestJob(temporal, settings.INGESTION_TASK_QUEUE!, { ...input, jobId });
  const progress = await temporal.workflow.getHandle<typeof ingestBatchWorkflow>(workflowId).result();
  return { ...progress, workflowId };
}

/** The index a suite's worker writes to (the run's store: embedded or Qdrant), opened separately as the chat worker does. */
export function openIndex(settings: Record<string, string>): VectorIndex {
  return createVectorIndex(testConfig(settings), localEmbeddingModel);
}

/** What most ingestion suites start with: a worker, a Temporal client and the suite's vector index, stopped together. */
export interface IngestionSuite {
  client: { temporal: Client; close(): Promise<void> };
  index: VectorIndex;
  stop(): Promise<void>;
}

export async function startIngestionSuite(settings: Record<string, string>): Promise<IngestionSuite> {
  const [worker, client] = await Promise.all([startIngestionWorker(settings), temporalClient()]);
  const index = openIndex(settings);
  return {
    client,
    index,
    async stop() {
      await worker.stop();
      await client.close();
      await index.close();
    },
  };
}

/** Whether the suites run on the embedded store (whose point log a test may read). */
export function onEmbeddedStore(): boolean {
  return services().vectorStore.VECTOR_STORE === 'embedded';
}

/** The embedded store's point log; only on the embedded store. */
export function pointLogPath(settings: Record<string, string>): string {
  return path.join(settings.VECTOR_STORE_DIRECTORY!, collectionName(localEmbeddingModel), 'points.jsonl');
}

/** A copy of the sample corpus to edit. */
export async function corpusCopy(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'ragtime-corpus-'));
  await cp(sampleCorpus, directory, { recursive: true });
  return directory;
}

/** The point ids a file must have after ingestion, computed with the domain code directly. */
export async function expectedPointIds(tenantId: string, file: string): Promise<string[]> {
  return (await expectedChunks(tenantId, file)).map((chunk) => chunk.id).sort();
}

/** The tokens a file's chunks count against the tenant's quota when embedded once (the activity's estimate). */
export async function expectedEmbeddingTokens(tenantId: string, file: string): Promise<number> {
  return (await expectedChunks(tenantId, file)).reduce((sum, chunk) => sum + Math.ceil(embeddingInput(chunk).length / 4), 0);
}

async function expectedChunks(tenantId: string, file: string) {
  const document = await parseDocument({ bytes: new Uint8Array(await readFile(file)), source: file });
  return chunkDocument({ documentId: documentId(tenantId, file), source: file, document }, testChunking);
}
