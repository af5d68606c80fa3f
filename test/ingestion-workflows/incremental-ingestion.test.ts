import { randomUUID } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { documentId } from '../../ingestion/identifiers.js';
import { ingestJobState } from '../../clients/ingestion-jobs.js';
import type { VectorIndex } from '../../ingestion/ports.js';
import { corpusCopy, expectedPointIds, ingestionSettings, onEmbeddedStore, pointLogPath, runJob, startIngestionSuite, type IngestionSuite } from '../support/ingestion.js';
import { temporalCli } from '../support/temporal-cli.js';

// One corpus through successive jobs, as an operator would run them: first ingestion, an unchanged re-run,
// an edit, a deletion, then broken files. Each step checks the vector store itself, not only the summary.
describe('incremental ingestion through the workflows', () => {
  const tenantId = `inc-${randomUUID().slice(0, 6)}`;
  let settings: Record<string, string>;
  let suite: IngestionSuite | undefined;
  let client: { temporal: Client; close(): Promise<void> };
  let index: VectorIndex;
  let corpus: string;
  const file = (name: string) => path.join(corpus, name);
  const logSize = async () => (await stat(pointLogPath(settings))).size;
  const pointsOf = async (name: string) => (await index.listDocumentPointIds(tenantId, documentId(tenantId, file(name)))).sort();

  beforeAll(async () => {
    settings = await ingestionSettings('incremental');
    corpus = await corpusCopy();
    suite = await startIngestionSuite(settings);
    ({ client, index } = suite);
  });
  afterAll(async () => {
    await suite?.stop();
    await rm(corpus, { recursive: true, force: true });
  });

  it('indexes a folder across continued runs with exactly the expected points, and reports progress', async () => {
    const job = await runJob(client.temporal, settings, { tenantId, sources: [corpus], documentsPerRun: 2 });
    const names = ['orbitra-batteries-and-warranty.txt', 'orbitra-overview.md', 'orbitra-setup.html', 'orbitra-troubleshooting.md'];
    const expected = await Promise.all(names.map((name) => expectedPointIds(tenantId, file(name))));
    const expectedTotal = expected.reduce((sum, ids) => sum + ids.length, 0);

    expect(job).toMatchObject({ status: 'completed', total: 4, processed: 4, indexed: 4, unchanged: 0, failed: 0, chunks: expectedTotal, embedded: expectedTotal, written: expectedTotal });
    expect(await index.count(tenantId)).toBe(expectedTotal);
    for (const [position, name] of names.entries()) expect(await pointsOf(name)).toEqual(expected[position]);

    // Four documents, two per run: the job continued as new once, under the same workflow id.
    const runs = (await temporalCli(['workflow', 'list', '--query', `WorkflowId='${job.workflowId}'`])) as { status: string }[];
    expect(runs.map((run) => run.status).sort()).toEqual(['WORKFLOW_EXECUTION_STATUS_COMPLETED', 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW']);
    const state = await ingestJobState(client.temporal, tenantId, job.jobId);
    expect(state).toMatchObject({ state: 'completed', progress: { indexed: 4 } });
    const listed = (await temporalCli(['workflow', 'list', '--query', `RagtimeTenant='${tenantId}' AND RagtimeIngestionJob='${job.jobId}' AND RagtimeIngestionStatus='indexed'`])) as unknown[];
    expect(listed).toHaveLength(4);
  });

  it('writes zero points when the corpus is unchanged', async () => {
    const before = onEmbeddedStore() ? await logSize() : undefined;
    const job = await runJob(client.temporal, settings, { tenantId, sources: [corpus] });
    expect(job).toMatchObject({ status: 'completed', total: 4, unchanged: 4, indexed: 0, embedded: 0, written: 0, removed: 0 });
    // On the embedded store the log proves no write reached the store (Qdrant has no such witness: the summary must do).
    if (before !== undefined) expect(await logSize()).toBe(before);
  });

  it('writes a document again when the store lost its points though its record says it holds them, without embedding again', async () => {
    // A wiped vector directory or a dropped collection: Postgres still records the version as written there.
    const name = 'orbitra-batteries-and-warranty.txt';
    const expected = await expectedPointIds(tenantId, file(name));
    await index.deleteDocument(tenantId, documentId(tenantId, file(name)));
    expect(await pointsOf(name)).toEqual([]);
    const job = await runJob(client.temporal, settings, { tenantId, sources: [corpus] });
    expect(job).toMatchObject({ status: 'completed', total: 4, unchanged: 3, indexed: 1, failed: 0, embedded: 0, written: expected.length });
    expect(await pointsOf(name)).toEqual(expected);
  });

  it('re-embeds only the changed chunks of an edited file and moves the others without embedding them', async () => {
    const overview = file('orbitra-overview.md');
    const others = ['orbitra-batteries-and-warranty.txt', 'orbitra-setup.html', 'orbitra-troubleshooting.md'];
    const othersBefore = await Promise.all(others.map(pointsOf));
    const oldIds = new Set(await pointsOf('orbitra-overview.md'));
    const text = await readFile(overview, 'utf8');
    const edited = text
      .replace('## What it measures', '## Colours\n\nThe hub comes in slate grey and chalk white.\n\n## What it measures')
      .replace('12-hour local forecast', '24-hour local forecast');
    expect(edited).not.toBe(text);
    await writeFile(overview, edited);

    const job = await runJob(client.temporal, settings, { tenantId, sources: [corpus] });
    const expected = await expectedPointIds(tenantId, overview);
    const kept = expected.filter((id) => oldIds.has(id));
    expect(job).toMatchObject({ status: 'completed', indexed: 1, unchanged: 3, embedded: expected.length - kept.length, removed: oldIds.size - kept.length });
    expect(kept.length).toBeGreaterThan(0);
    expect(job.written).toBeGreaterThan(job.embedded);
    expect(await pointsOf('orbitra-overview.md')).toEqual(expected);
    expect(await Promise.all(others.map(pointsOf))).toEqual(othersBefore);

    // Every point carries its new position: 0, 1, 2 … in document order.
    const hits = await index.query({ tenant: tenantId, dense: new Array(384).fill(0.05), sparse: { indices: [], values: [] }, limit: 1000, mode: 'dense' });
    const positions = hits.filter((hit) => hit.payload.documentId === documentId(tenantId, overview)).map((hit) => hit.payload.position).sort((a, b) => a - b);
    expect(positions).toEqual(expected.map((_, position) => position));
  });

  it('removes the chunks of a file deleted from the folder', async () => {
    const gone = await pointsOf('orbitra-setup.html');
    const countBefore = await index.count(tenantId);
    expect(gone.length).toBeGreaterThan(0);
    await rm(file('orbitra-setup.html'));
    const job = await runJob(client.temporal, settings, { tenantId, sources: [corpus] });
    expect(job).toMatchObject({ status: 'completed', total: 4, deleted: 1, unchanged: 3, removed: gone.length, written: 0 });
    expect(await pointsOf('orbitra-setup.html')).toEqual([]);
    expect(await index.count(tenantId)).toBe(countBefore - gone.length);
  });

  it('fails corrupt and unsupported files with their reasons and finishes the rest of the job', async () => {
    await writeFile(file('broken.pdf'), 'this is not a PDF at all');
    await writeFile(file('diagram.xyz'), 'unknown format');
    await writeFile(file('new-faq.md'), '# Orbitra FAQ\n\nThe hub display can be dimmed at night from the app settings.');
    const job = await runJob(client.temporal, settings, { tenantId, sources: [corpus, path.join(corpus, 'missing.txt')] });
    expect(job).toMatchObject({ status: 'completed', total: 7, processed: 7, failed: 3, indexed: 1, unchanged: 3 });
    const reasons = Object.fromEntries(job.failures.map((failure) => [path.basename(failure.source), failure.reason]));
    expect(reasons['broken.pdf']).toMatch(/broken\.pdf/);
    expect(reasons['diagram.xyz']).toMatch(/unsupported format/);
    expect(reasons['missing.txt']).toMatch(/no such file/);
    expect((await pointsOf('new-faq.md')).length).toBeGreaterThan(0);
    const listed = (await temporalCli(['workflow', 'list', '--query', `RagtimeIngestionJob='${job.jobId}' AND RagtimeIngestionStatus='partial'`])) as unknown[];
    expect(listed).toHaveLength(1);
  });
});
