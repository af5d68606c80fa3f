// One bad document is one failed document, never an outage: a zip bomb, a parse that never returns and
// 200,000-deep HTML each fail their document with a reason while another tenant's job, started seconds
// later on the same worker, completes; legacy charsets are indexed as their authors wrote them.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { localEmbedder } from '../../infra/embeddings/local-embedding-server.js';
import { VectorRetriever } from '../../infra/retrieval/vector-retriever.js';
import { startIngestJob } from '../../clients/ingestion-jobs.js';
import type { ingestBatchWorkflow } from '../../workflows/ingestion/ingest-batch.js';
import { buildDocxBomb } from '../ingestion/fixtures/build-documents.js';
import { ingestionSettings, openIndex, runJob, startIngestionWorker, temporalClient } from '../support/ingestion.js';
import { projectRoot } from '../support/processes.js';
import { services } from '../support/services.js';

const mb = 1024 * 1024;

describe('hostile documents through the workflows', () => {
  let settings: Record<string, string>;
  let hangSettings: Record<string, string>;
  let worker: { stop(): Promise<void> };
  let hangWorker: { stop(): Promise<void> };
  let client: { temporal: Client; close(): Promise<void> };
  let folder: string;
  const file = (name: string) => path.join(folder, name);

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'ragtime-hostile-'));
    // Default limits (64 MiB inflated at most), two parse threads.
    settings = await ingestionSettings('hostile');
    hangSettings = await ingestionSettings('hang', { INGESTION_PARSE_TIMEOUT_MS: '3000', INGESTION_PARSE_THREADS: '1' });
    [worker, hangWorker, client] = await Promise.all([
      startIngestionWorker(settings),
      startIngestionWorker(hangSettings, { parserModule: pathToFileURL(path.join(projectRoot, 'test', 'support', 'hanging-parser.ts')).href }),
      temporalClient(),
    ]);
  });
  afterAll(async () => {
    await worker?.stop();
    await hangWorker?.stop();
    await client?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('fails a ≤ 1 MB archive that inflates past the limit in seconds, within 512 MB, while another tenant completes', async () => {
    const bomb = await buildDocxBomb('All work and no play makes Jack a dull boy. '.repeat(20), 110_000); // ~100 MB of XML
    expect(bomb.byteLength).toBeLessThanOrEqual(mb);
    await writeFile(file('bomb.docx'), bomb);
    await writeFile(file('note.md'), '# Shipping note\n\nParcels to Reykjavik leave on Tuesdays.');

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 25);
    try {
      const started = performance.now();
      const { workflowId } = await startIngestJob(client.temporal, settings.INGESTION_TASK_QUEUE!, { tenantId: `bomb-${randomUUID().slice(0, 6)}`, jobId: 'bomb', sources: [file('bomb.docx')] });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const otherStarted = performance.now();
      const other = runJob(client.temporal, settings, { tenantId: `calm-${randomUUID().slice(0, 6)}`, sources: [file('note.md')] });
      const bombJob = await client.temporal.workflow.getHandle<typeof ingestBatchWorkflow>(workflowId).result();
      const bombSeconds = (performance.now() - started) / 1000;
      const calm = await other;
      const calmSeconds = (performance.now() - otherStarted) / 1000;

      expect(bombJob).toMatchObject({ status: 'completed', failed: 1, indexed: 0 });
      expect(bombJob.failures[0]!.reason).toMatch(/bomb\.docx: archive declares \d+ bytes once inflated, more than the limit of 67108864 \(INGESTION_MAX_EXTRACTED_BYTES\)/);
      expect(bombSeconds).toBeLessThan(5);
      expect(calm).toMatchObject({ status: 'completed', indexed: 1, failed: 0 });
      expect(calmSeconds).toBeLessThan(30);
      expect((peak - baseline) / mb).toBeLessThan(512);
    } finally {
      clearInterval(sampler);
    }
  });

  it('kills a parse that never returns at its deadline and keeps serving other jobs', async () => {
    await writeFile(file('never-returns.txt'), 'this parse spins forever');
    await writeFile(file('afterwards.txt'), 'The lighthouse keeper logs the weather at dawn.');
    const started = performance.now();
    const { workflowId } = await startIngestJob(client.temporal, hangSettings.INGESTION_TASK_QUEUE!, { tenantId: `hang-${randomUUID().slice(0, 6)}`, jobId: 'hang', sources: [file('never-returns.txt')] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const other = await runJob(client.temporal, hangSettings, { tenantId: `next-${randomUUID().slice(0, 6)}`, sources: [file('afterwards.txt')] });
    const hung = await client.temporal.workflow.getHandle<typeof ingestBatchWorkflow>(workflowId).result();
    const seconds = (performance.now() - started) / 1000;

    expect(hung).toMatchObject({ failed: 1, indexed: 0 });
    expect(hung.failures[0]!.reason).toBe(`${file('never-returns.txt')}: parsing took longer than the limit of 3000 ms (INGESTION_PARSE_TIMEOUT_MS)`);
    expect(seconds).toBeGreaterThanOrEqual(3);
    expect(seconds).toBeLessThan(20);
    expect(other).toMatchObject({ status: 'completed', indexed: 1, failed: 0 });
  });

  it('refuses 200,000-deep HTML with its reason', async () => {
    const depth = 200_000;
    await writeFile(file('deep.html'), `<html><body>${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}</body></html>`);
    const job = await runJob(client.temporal, settings, { tenantId: `deep-${randomUUID().slice(0, 6)}`, sources: [file('deep.html')] });
    expect(job).toMatchObject({ status: 'completed', failed: 1 });
    expect(job.failures[0]!.reason).toBe(`${file('deep.html')}: elements nested 513+ levels deep, more than the limit of 512 (INGESTION_MAX_NESTING_DEPTH)`);
  });

  it('indexes UTF-16 with a BOM, windows-1252 and Shift_JIS with their text intact', async () => {
    const tenantId = `charset-${randomUUID().slice(0, 6)}`;
    const texts = {
      'utf16.txt': 'Die Bäckerei in Köln verkauft Brötchen mit Kümmel.',
      'menu.html': 'La crème brûlée du café coûte six euros – “maison”.',
      'tower.txt': '東京タワーは東京都港区芝公園にある総合電波塔です。高さは三百三十三メートルで、展望台からは富士山が見えます。',
    };
    const charsets = await mkdtemp(path.join(tmpdir(), 'ragtime-charsets-'));
    await writeFile(path.join(charsets, 'utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(texts['utf16.txt'], 'utf16le')]));
    await writeFile(path.join(charsets, 'menu.html'), iconv.encode(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head><body><p>${texts['menu.html']}</p></body></html>`, 'windows-1252'));
    await writeFile(path.join(charsets, 'tower.txt'), iconv.encode(texts['tower.txt'], 'Shift_JIS'));
    try {
      const job = await runJob(client.temporal, settings, { tenantId, sources: [charsets] });
      expect(job).toMatchObject({ status: 'completed', indexed: 3, failed: 0 });
      const index = openIndex(settings);
      const retriever = new VectorRetriever(index, localEmbedder(services().embeddingsBaseUrl), { topK: 3, candidates: 20, tokenBudget: 2000, timeoutMs: 10_000, rerank: true, queryExpansion: false });
      try {
        for (const [question, name] of [['Brötchen Kümmel Bäckerei', 'utf16.txt'], ['crème brûlée café', 'menu.html'], ['東京タワーは東京都港区芝公園にある総合電波塔です', 'tower.txt']] as const) {
          const citations = await retriever.search(tenantId, question, {});
          expect(citations[0]?.source).toBe(path.join(charsets, name));
          expect(citations[0]?.snippet).toContain(texts[name].slice(0, 20));
        }
      } finally {
        await index.close();
      }
    } finally {
      await rm(charsets, { recursive: true, force: true });
    }
  });
});
