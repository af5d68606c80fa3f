import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { documentId } from '../../ingestion/identifiers.js';
import { startIngestJob } from '../../clients/ingestion-jobs.js';
import type { ingestBatchWorkflow } from '../../workflows/ingestion/ingest-batch.js';
import { progressQuery } from '../../workflows/ingestion/messages.js';
import { TenantIngestionLimits } from '../../infra/ingestion/tenant-ingestion-limits.js';
import { createPool } from '../../infra/postgres/pool.js';
import { expectedEmbeddingTokens, expectedPointIds, ingestionSettings, openIndex, startIngestionWorkerProcess, temporalClient } from '../support/ingestion.js';
import { signalGroup, stopProcess, waitUntil } from '../support/processes.js';
import { services } from '../support/services.js';

const words = ['anemometer', 'barometer', 'humidity', 'rainfall', 'sensor', 'mast', 'hub', 'firmware', 'battery', 'solar', 'radio', 'pressure', 'forecast', 'storm', 'calibration', 'shield'];

/** Distinct, deterministic prose: a few kB per document, many chunks each. */
function documentText(document: number): string {
  const paragraphs: string[] = [];
  for (let paragraph = 0; paragraph < 14; paragraph += 1) {
    const sentences: string[] = [];
    for (let sentence = 0; sentence < 4; sentence += 1) {
      const seed = document * 1000 + paragraph * 10 + sentence;
      sentences.push(`Station ${document} note ${paragraph}.${sentence}: the ${words[seed % 16]} reads ${(seed * 7) % 97} units near the ${words[(seed * 3) % 16]} after ${words[(seed * 5) % 16]} service.`);
    }
    paragraphs.push(sentences.join(' '));
  }
  return paragraphs.join('\n\n');
}

describe('an ingestion worker killed in the middle of a job', () => {
  const tenantId = `crash-${randomUUID().slice(0, 6)}`;
  const documents = 30;
  let settings: Record<string, string>;
  let client: { temporal: Client; close(): Promise<void> };
  let corpus: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    settings = await ingestionSettings('crash', { EMBEDDINGS_BATCH_SIZE: '8' });
    corpus = await mkdtemp(path.join(tmpdir(), 'ragtime-crash-corpus-'));
    await Promise.all(Array.from({ length: documents }, (_, document) => writeFile(path.join(corpus, `station-${String(document).padStart(2, '0')}.txt`), documentText(document))));
    client = await temporalClient();
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopProcess(worker, 'SIGKILL')));
    await client?.close();
    await rm(corpus, { recursive: true, force: true });
  });

  it('completes after a restart with every expected point exactly once', async () => {
    workers.push(startIngestionWorkerProcess('ingestion-worker-crash-1', settings));
    const { workflowId } = await startIngestJob(client.temporal, settings.INGESTION_TASK_QUEUE!, { tenantId, jobId: 'crash-job', sources: [corpus], concurrency: 3 });
    const handle = client.temporal.workflow.getHandle<typeof ingestBatchWorkflow>(workflowId);

    // Kill the whole worker process group while documents are still being embedded.
    await waitUntil('a few documents ingested', async () => (await handle.query(progressQuery)).processed >= 3, 150_000, workers[0]);
    const before = await handle.query(progressQuery);
    expect(before.processed).toBeLessThan(documents);
    signalGroup(workers[0]!, 'SIGKILL');
    await stopProcess(workers[0]);

    workers.push(startIngestionWorkerProcess('ingestion-worker-crash-2', settings));
    const progress = await handle.result();
    expect(progress).toMatchObject({ status: 'completed', total: documents, processed: documents, indexed: documents, failed: 0 });

    const index = openIndex(settings);
    try {
      let expectedTotal = 0;
      for (let document = 0; document < documents; document += 1) {
        const file = path.join(corpus, `station-${String(document).padStart(2, '0')}.txt`);
        const expected = await expectedPointIds(tenantId, file);
        expectedTotal += expected.length;
        expect((await index.listDocumentPointIds(tenantId, documentId(tenantId, file))).sort()).toEqual(expected);
      }
      expect(progress.chunks).toBe(expectedTotal);
      expect(await index.count(tenantId)).toBe(expectedTotal);
    } finally {
      await index.close();
    }

    // The tenant's quota counted each document, its bytes and its chunks' tokens once, although the steps
    // in flight at the kill ran again on the second worker.
    const pool = createPool(services().databaseUrl);
    try {
      const limits = new TenantIngestionLimits(pool, { maxConcurrentDocuments: 1, slotLeaseSeconds: 1800, period: 'month', quotas: { documents: 0, bytes: 0, tokens: 0 } });
      const files = Array.from({ length: documents }, (_, document) => path.join(corpus, `station-${String(document).padStart(2, '0')}.txt`));
      const bytes = files.reduce((sum, _file, document) => sum + Buffer.byteLength(documentText(document)), 0);
      const tokens = (await Promise.all(files.map((file) => expectedEmbeddingTokens(tenantId, file)))).reduce((sum, count) => sum + count, 0);
      expect(await limits.usage(tenantId)).toEqual({ documents, bytes, tokens });
    } finally {
      await pool.end();
    }
  }, 300_000);
});
