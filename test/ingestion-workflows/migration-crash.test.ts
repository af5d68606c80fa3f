import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { localEmbeddingModel } from '../../infra/embeddings/local-embedding-server.js';
import { migrationState, startMigration } from '../../clients/vector-migrations.js';
import { collectionName } from '../../infra/vector-store/collection-name.js';
import { EmbeddedVectorIndex } from '../../infra/vector-store/embedded-vector-index.js';
import type { IndexedPoint } from '../../ingestion/ports.js';
import { migrationWorkflowId } from '../../ingestion/vector-migration.js';
import { ingestionSettings, startIngestionWorkerProcess, temporalClient } from '../support/ingestion.js';
import { signalGroup, stopProcess, waitUntil } from '../support/processes.js';

const points = 12_000;
const pageSize = 1;

function syntheticPoint(tenant: string, position: number): IndexedPoint {
  const dense = Array.from({ length: localEmbeddingModel.dimensions }, (_, dimension) => Math.sin(position * 31 + dimension));
  return {
    id: randomUUID(),
    dense,
    sparse: { indices: [position % 97, 100 + (position % 13)], values: [1, 0.5] },
    payload: { tenant, documentId: `doc-${Math.floor(position / 10)}`, title: 'Synthetic', source: `/synthetic/${position}.md`, position: position % 10, headingPath: [], text: `chunk ${position}`, contentHash: `h${position}` },
  };
}

// A migration whose worker is killed mid-copy: another worker finishes it from the cursor of the last heartbeat
// the server recorded (the SDK throttles heartbeats), so what was copied before it is not copied again, and
// every point arrives.
describe('a vector store migration whose worker is killed', () => {
  const tenantId = `mig-crash-${randomUUID().slice(0, 6)}`;
  let source: string;
  let target: string;
  let settings: Record<string, string>;
  let client: { temporal: Client; close(): Promise<void> };
  const workers: ChildProcess[] = [];
  const open = (directory: string) => new EmbeddedVectorIndex({ directory, collection: collectionName(localEmbeddingModel), dimensions: localEmbeddingModel.dimensions });

  beforeAll(async () => {
    [source, target] = await Promise.all([mkdtemp(path.join(tmpdir(), 'ragtime-migrate-from-')), mkdtemp(path.join(tmpdir(), 'ragtime-migrate-to-'))]);
    const index = open(source);
    await index.upsert(Array.from({ length: points }, (_, position) => syntheticPoint(tenantId, position)));
    await index.close();
    settings = await ingestionSettings('migrate-crash', { VECTOR_STORE: 'embedded', VECTOR_STORE_DIRECTORY: source });
    client = await temporalClient();
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopProcess(worker, 'SIGKILL')));
    await client?.close();
    await Promise.all([source, target].map((directory) => directory && rm(directory, { recursive: true, force: true })));
  });

  it('resumes from the last page its heartbeats recorded and copies every point', async () => {
    workers.push(startIngestionWorkerProcess('ingestion-worker-migrate-1', settings));
    const migrationId = `crash-${randomUUID().slice(0, 8)}`;
    const totalPages = Math.ceil(points / pageSize);
    // One copy activity in one run for the whole migration: without the cursor in its heartbeats a retry would start over.
    await startMigration(client.temporal, settings.INGESTION_TASK_QUEUE!, { migrationId, tenantId, from: `embedded:${source}`, to: `embedded:${target}`, pageSize, pagesPerCall: totalPages + 1, pagesPerRun: totalPages + 1 });
    const handle = client.temporal.workflow.getHandle(migrationWorkflowId(migrationId));
    const log = path.join(target, collectionName(localEmbeddingModel), 'points.jsonl');
    const records = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const written = open(target);
    try {
      // Kill the worker once the server holds a heartbeat saying some pages are written.
      let recordedPages = 0;
      let status = 'RUNNING';
      await waitUntil('a heartbeat recorded with pages copied', async () => {
        status = (await handle.describe()).status.name;
        recordedPages = await heartbeatPages(handle);
        return recordedPages >= 10 || status !== 'RUNNING';
      }, 120_000, workers[0]);
      expect(status, 'the migration must still run when its worker is killed').toBe('RUNNING');
      signalGroup(workers[0]!, 'SIGKILL');
      await stopProcess(workers[0]);
      const beforeRestart = await records();
      expect(beforeRestart).toBeLessThan(totalPages);

      workers.push(startIngestionWorkerProcess('ingestion-worker-migrate-2', settings));
      const progress = await handle.result();
      expect(progress).toMatchObject({ status: 'completed', total: points, copied: points });
      expect(await migrationState(client.temporal, migrationId)).toMatchObject({ state: 'completed' });
      expect(await written.count(tenantId)).toBe(points);
      // The retry wrote only the pages after the recorded cursor (one log record per page).
      expect(await records()).toBeLessThanOrEqual(beforeRestart + totalPages - recordedPages);
      const history = await handle.fetchHistory();
      expect(history.events!.some((event) => (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)).toBe(true);
    } finally {
      await written.close();
    }
  }, 300_000);
});

/** Pages the pending copy activity's last heartbeat that reached the server says were written. */
async function heartbeatPages(handle: WorkflowHandle): Promise<number> {
  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  const payload = pending.find((activity) => activity.activityType?.name === 'copyPoints')?.heartbeatDetails?.payloads?.[0];
  if (!payload?.data) return 0;
  return (JSON.parse(Buffer.from(payload.data).toString()) as { pages: number }).pages;
}
