// One tenant's ingestion cannot starve another's: a tenant's documents in process are capped across all its
// jobs, the task queue dispatches fairly by tenant (fairness keys), and quotas refuse what exceeds them.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { TenantIngestionLimits } from '../../infra/ingestion/tenant-ingestion-limits.js';
import { createPool } from '../../infra/postgres/pool.js';
import { startIngestJob } from '../../clients/ingestion-jobs.js';
import type { ingestBatchWorkflow } from '../../workflows/ingestion/ingest-batch.js';
import { ingestionSettings, runJob, startIngestionWorker, temporalClient } from '../support/ingestion.js';
import { services } from '../support/services.js';

const cap = 3;

describe('fair ingestion between tenants', () => {
  let settings: Record<string, string>;
  let quotaSettings: Record<string, string>;
  let worker: { stop(): Promise<void> };
  let quotaWorker: { stop(): Promise<void> };
  let client: { temporal: Client; close(): Promise<void> };
  let folder: string;
  const pool = createPool(services().databaseUrl);
  const slots = new TenantIngestionLimits(pool, { maxConcurrentDocuments: cap, slotLeaseSeconds: 1800, period: 'month', quotas: { documents: 0, bytes: 0, tokens: 0 } });

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'ragtime-fair-'));
    settings = await ingestionSettings('fair', { INGESTION_TENANT_MAX_CONCURRENT_DOCUMENTS: String(cap) });
    quotaSettings = await ingestionSettings('quota', { INGESTION_QUOTA_DOCUMENTS: '2' });
    [worker, quotaWorker, client] = await Promise.all([startIngestionWorker(settings), startIngestionWorker(quotaSettings), temporalClient()]);
  });
  afterAll(async () => {
    await worker?.stop();
    await quotaWorker?.stop();
    await client?.close();
    await pool.end();
    await rm(folder, { recursive: true, force: true });
  });

  async function corpus(name: string, documents: number): Promise<string> {
    const directory = path.join(folder, name);
    await mkdir(directory);
    for (let index = 0; index < documents; index++) {
      await writeFile(path.join(directory, `note-${index}.md`), `# Note ${index} of ${name}\n\nShelf ${index} in aisle ${index % 7} holds ${index * 3} boxes of ${name} supplies.`);
    }
    return directory;
  }

  it("caps a tenant's documents in process across its jobs, and another tenant's one-document job completes meanwhile", async () => {
    const tenantA = `busy-${randomUUID().slice(0, 6)}`;
    const folders = await Promise.all([corpus('a1', 15), corpus('a2', 15), corpus('a3', 15)]);
    const single = await corpus('b', 1);
    // Three jobs of 15 documents, each asking for 8 at a time: 24 would run at once without the tenant cap.
    const jobs = await Promise.all(folders.map((source, index) => startIngestJob(client.temporal, settings.INGESTION_TASK_QUEUE!, { tenantId: tenantA, jobId: `bulk-${index}`, sources: [source], concurrency: 8 })));
    let most = 0;
    const sampler = setInterval(() => { slots.slotsInUse(tenantA).then((used) => { most = Math.max(most, used); }, () => undefined); }, 100);
    try {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const started = performance.now();
      const other = await runJob(client.temporal, settings, { tenantId: `small-${randomUUID().slice(0, 6)}`, sources: [single] });
      const seconds = (performance.now() - started) / 1000;
      const describe = await Promise.all(jobs.map((job) => client.temporal.workflow.getHandle(job.workflowId).describe()));
      const results = await Promise.all(jobs.map((job) => client.temporal.workflow.getHandle<typeof ingestBatchWorkflow>(job.workflowId).result()));

      expect(other).toMatchObject({ status: 'completed', indexed: 1, failed: 0 });
      expect(seconds).toBeLessThan(30);
      // The small job did not wait for the bulk jobs to finish.
      expect(describe.some((description) => description.status.name === 'RUNNING')).toBe(true);
      expect(results.map((result) => result.indexed)).toEqual([15, 15, 15]);
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(cap);
      expect(await slots.slotsInUse(tenantA)).toBe(0);
    } finally {
      clearInterval(sampler);
    }
  });

  it("frees slots held by runs that closed without giving them back (a terminated job), keeping a running holder's", async () => {
    const tenant = `stale-${randomUUID().slice(0, 6)}`;
    // Three holders fill the tenant's slots: a run that never existed, a run that was terminated, a run still running
    // (on a task queue no worker polls). Before any check they look a minute old.
    const idle = `nobody-polls-${randomUUID().slice(0, 8)}`;
    const start = (workflowId: string) => client.temporal.workflow.start('ingestDocumentWorkflow', { taskQueue: idle, workflowId, args: [{}] });
    const terminated = await start(`stale-terminated-${randomUUID().slice(0, 8)}`);
    await terminated.terminate('operator stopped the job');
    const running = await start(`stale-running-${randomUUID().slice(0, 8)}`);
    const holders = [`stale-ghost-${randomUUID().slice(0, 8)}`, terminated.workflowId, running.workflowId];
    try {
      await pool.query(`INSERT INTO ingestion_document_slots (tenant_id, holder, acquired_at) SELECT $1, holder, now() - interval '1 minute' FROM unnest($2::text[]) AS holder`, [tenant, holders]);
      expect(await slots.slotsInUse(tenant)).toBe(cap);

      const started = performance.now();
      const job = await runJob(client.temporal, settings, { tenantId: tenant, sources: [await corpus('after-stale', 2)], concurrency: 2 });
      expect(job).toMatchObject({ status: 'completed', indexed: 2, failed: 0 });
      // Not the 30-minute lease: the closed runs' slots were freed as soon as the tenant was found full.
      expect((performance.now() - started) / 1000).toBeLessThan(60);
      const { rows } = await pool.query<{ holder: string }>('SELECT holder FROM ingestion_document_slots WHERE tenant_id = $1', [tenant]);
      expect(rows.map((row) => row.holder)).toEqual([running.workflowId]);
    } finally {
      await running.terminate('test over').catch(() => undefined);
    }
  });

  it('refuses documents past the tenant quota with a clear reason, per document', async () => {
    const tenant = `quota-${randomUUID().slice(0, 6)}`;
    const job = await runJob(client.temporal, quotaSettings, { tenantId: tenant, sources: [await corpus('quota', 3)], concurrency: 1 });
    expect(job).toMatchObject({ status: 'completed', indexed: 2, failed: 1 });
    expect(job.failures[0]!.reason).toMatch(new RegExp(`^tenant ${tenant} is over its ingestion quota: 2 of 2 documents per month used, this document needs 1 more \\(INGESTION_QUOTA_DOCUMENTS\\); the quota resets at \\d{4}-\\d\\d-01T00:00:00\\.000Z$`));
  });
});
