// Ingestion throughput through the workflows (job → per-document children → fetch, parse, chunk, embed,
// upsert, with Postgres staging) vs the raw embedder on the very same chunk texts, in chunks per second.
// Cranfield abstracts are grouped into Markdown files (one heading each). Needs Temporal and Postgres of a
// running stack (./ragtime up); starts its own embedding server and an in-process ingestion worker.
// Then fairness: tenant A starts a job of thousands of one-paragraph documents; once it is under way tenant B
// starts a one-document job on the same worker, and B's time to completion is reported (target < 30 s).
// Run the Temporal server with task-queue fairness on (scripts/stack-up.sh does).
// Usage: npx tsx bench/ingestion-throughput.ts [collection-dir] [documents] [abstracts-per-file] [tenant-A-documents]
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { chunkDocument, embeddingInput } from '../ingestion/chunk-document.js';
import { documentId } from '../ingestion/identifiers.js';
import { parseDocument } from '../ingestion/parse-document.js';
import { loadConfig } from '../infra/config.js';
import { LocalEmbeddingServer } from '../infra/embeddings/local-embedding-server.js';
import { startIngestJob } from '../clients/ingestion-jobs.js';
import { createEmbedder } from '../infra/ingestion/vector-adapters.js';
import { createIngestionWorker } from '../workers/ingestion-worker.js';
import type { ingestBatchWorkflow } from '../workflows/ingestion/ingest-batch.js';
import { progressQuery } from '../workflows/ingestion/messages.js';
import { loadCranfield } from './lib/cranfield.js';
import { printTable } from './lib/table.js';

const directory = process.argv[2] ?? '/work/shared/datasets/cranfield';
const documentCount = Number(process.argv[3] ?? 300);
const perFile = Number(process.argv[4] ?? 10);
const bulkDocuments = Number(process.argv[5] ?? 5000);

Runtime.install({ logger: new DefaultLogger('WARN') });
const { documents } = await loadCranfield(directory);
const corpus = await mkdtemp(path.join(tmpdir(), 'ragtime-bench-corpus-'));
const vectors = await mkdtemp(path.join(tmpdir(), 'ragtime-bench-vectors-'));
for (let start = 0; start < Math.min(documentCount, documents.length); start += perFile) {
  const sections = documents.slice(start, start + perFile).map((document) => `## ${document.title || `Document ${document.id}`}\n\n${document.text || document.title}`);
  await writeFile(path.join(corpus, `cranfield-${String(start).padStart(4, '0')}.md`), `# Cranfield ${start}\n\n${sections.join('\n\n')}\n`);
}

const server = await LocalEmbeddingServer.start({ port: 18700 + Math.floor(Math.random() * 200) });
const tenantId = `bench-${randomUUID().slice(0, 6)}`;
const config = loadConfig({
  ...process.env,
  EMBEDDINGS_BASE_URL: server.baseUrl,
  VECTOR_STORE: 'embedded',
  VECTOR_STORE_DIRECTORY: vectors,
  INGESTION_TASK_QUEUE: `ingestion-bench-${randomUUID().slice(0, 8)}`,
  LOG_LEVEL: 'warn',
});
const { worker, close } = await createIngestionWorker(config);
const running = worker.run();
const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
try {
  // The same chunks the workflows will produce, computed directly.
  const files = (await readdir(corpus)).sort().map((name) => path.join(corpus, name));
  const texts: string[] = [];
  for (const file of files) {
    const document = await parseDocument({ bytes: new Uint8Array(await readFile(file)), source: file });
    const chunks = await chunkDocument({ documentId: documentId(tenantId, file), source: file, document }, { chunkSize: config.CHUNK_SIZE, chunkOverlap: config.CHUNK_OVERLAP });
    texts.push(...chunks.map(embeddingInput));
  }
  const embedder = createEmbedder(config);
  await embedder.embed(texts.slice(0, 8));

  // The raw embedder runs before and after the workflows and their mean is the baseline, so a change in the
  // machine's load during the run weighs on both sides alike.
  const timeRaw = async () => {
    const started = performance.now();
    await embedder.embed(texts);
    return (performance.now() - started) / 1000;
  };
  const rawBefore = await timeRaw();

  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const started = performance.now();
  const { workflowId } = await startIngestJob(temporal, config.INGESTION_TASK_QUEUE, { tenantId, jobId: 'throughput', sources: [corpus] });
  const progress = await temporal.workflow.getHandle<typeof ingestBatchWorkflow>(workflowId).result();
  const workflowSeconds = (performance.now() - started) / 1000;
  if (progress.embedded !== texts.length || progress.failed > 0) throw new Error(`workflows embedded ${progress.embedded} chunks (${progress.failed} failed), expected ${texts.length}`);
  const rawSeconds = (rawBefore + (await timeRaw())) / 2;

  const raw = texts.length / rawSeconds;
  const workflows = progress.embedded / workflowSeconds;
  const averageCharacters = Math.round(texts.reduce((sum, text) => sum + text.length, 0) / texts.length);
  console.log(`Ingestion throughput: ${files.length} files, ${texts.length} chunks of ${averageCharacters} characters on average, embedding batch ${config.EMBEDDINGS_BATCH_SIZE}\n`);
  printTable([
    ['path', 'seconds', 'chunks/s', 'vs raw embedder'],
    ['raw embedder (one client, sequential batches; mean of a run before and after)', rawSeconds, raw, '1.00x'],
    ['ingestion workflows (fetch → upsert, 4 documents at a time)', workflowSeconds, workflows, `${(workflows / raw).toFixed(2)}x`],
  ]);
  console.log(`\nratio ${(workflows / raw).toFixed(2)} (target ≥ 0.8); workflow ${workflowId} on ${config.TEMPORAL_ADDRESS}`);

  // Fairness: tenant B's one-document job while tenant A's bulk job runs.
  const bulk = path.join(corpus, 'bulk');
  const single = path.join(corpus, 'single');
  await mkdir(bulk);
  await mkdir(single);
  for (let index = 0; index < bulkDocuments; index++) {
    const document = documents[index % documents.length]!;
    await writeFile(path.join(bulk, `note-${String(index).padStart(5, '0')}.txt`), `${document.title}. Copy ${index}.`);
  }
  await writeFile(path.join(single, 'note.txt'), documents[0]!.text || documents[0]!.title);
  const bulkJob = await startIngestJob(temporal, config.INGESTION_TASK_QUEUE, { tenantId: `${tenantId}-a`, jobId: 'bulk', sources: [bulk], concurrency: 16 });
  const bulkHandle = temporal.workflow.getHandle<typeof ingestBatchWorkflow>(bulkJob.workflowId);
  let processedBefore = 0;
  while (processedBefore < 100) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    processedBefore = (await bulkHandle.query(progressQuery)).processed;
  }
  const smallStarted = performance.now();
  const { workflowId: smallId } = await startIngestJob(temporal, config.INGESTION_TASK_QUEUE, { tenantId: `${tenantId}-b`, jobId: 'small', sources: [single] });
  const small = await temporal.workflow.getHandle<typeof ingestBatchWorkflow>(smallId).result();
  const smallSeconds = (performance.now() - smallStarted) / 1000;
  const bulkProgress = await bulkHandle.query(progressQuery);
  await bulkHandle.terminate('fairness measured');
  if (small.indexed !== 1) throw new Error(`tenant B's document was not indexed: ${JSON.stringify(small)}`);
  console.log(`\nFairness: tenant A's job of ${bulkDocuments} documents (16 at a time, capped at ${config.INGESTION_TENANT_MAX_CONCURRENT_DOCUMENTS} per tenant) had processed ${processedBefore} when tenant B started a one-document job\n`);
  printTable([
    ['job', 'seconds', 'tenant A documents processed meanwhile', 'target'],
    ["tenant B's one-document job", smallSeconds, `${bulkProgress.processed - processedBefore} of ${bulkDocuments - processedBefore} left`, '< 30 s'],
  ]);
} finally {
  worker.shutdown();
  await running;
  await close();
  await connection.close();
  await server.stop();
  await rm(corpus, { recursive: true, force: true });
  await rm(vectors, { recursive: true, force: true });
}
