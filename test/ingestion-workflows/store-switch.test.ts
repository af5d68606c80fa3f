import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { documentId } from '../../ingestion/identifiers.js';
import { createPool } from '../../infra/postgres/pool.js';
import type { VectorIndex } from '../../ingestion/ports.js';
import { migrationState, startMigration } from '../../clients/vector-migrations.js';
import { ChatSocket } from '../support/chat-socket.js';
import { startCountingProxy, type CountingProxy } from '../support/request-counting-proxy.js';
import { corpusCopy, expectedPointIds, ingestionSettings, openIndex, runJob, startIngestionWorker, temporalClient } from '../support/ingestion.js';
import { projectRoot } from '../support/processes.js';
import { services, testEnvironment } from '../support/services.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';
import { temporalCli } from '../support/temporal-cli.js';

const run = promisify(execFile);
const names = ['orbitra-batteries-and-warranty.txt', 'orbitra-overview.md', 'orbitra-setup.html', 'orbitra-troubleshooting.md'];
const embeddingCalls = '/embeddings';

interface StoreUnderTest {
  settings: Record<string, string>;
  index: VectorIndex;
  worker: { stop(): Promise<void> };
}

/**
 * Ingestion moved between vector stores, as an operator does it: ingest into one store, point ingestion at
 * another, ingest again. Every embedding request goes through a counting proxy, so "no re-embedding" is seen
 * on the wire. `secondStore` makes the environment of a fresh store of the kind under test.
 */
function describeStoreSwitch(name: string, secondStore: () => Promise<Record<string, string>>): void {
  describe(`switching the vector store: embedded → ${name}`, () => {
    const tenantId = `mv-${randomUUID().slice(0, 6)}`;
    const movedTenant = `mv-m-${randomUUID().slice(0, 6)}`;
    const legacyTenant = `mv-l-${randomUUID().slice(0, 6)}`;
    const tenants = [tenantId, movedTenant, legacyTenant];
    const countOf = async (store: StoreUnderTest) => (await Promise.all(tenants.map((tenant) => store.index.count(tenant)))).reduce((sum, count) => sum + count, 0);
    let proxy: CountingProxy;
    let client: { temporal: Client; close(): Promise<void> };
    let corpus: string;
    let first: StoreUnderTest;
    let second: StoreUnderTest;
    const stores: StoreUnderTest[] = [];
    const file = (fileName: string) => path.join(corpus, fileName);
    const pointsOf = async (store: StoreUnderTest, tenant: string, fileName: string) => (await store.index.listDocumentPointIds(tenant, documentId(tenant, file(fileName)))).sort();
    const open = async (environment: Record<string, string>): Promise<StoreUnderTest> => {
      const settings = await ingestionSettings(`switch-${name.replace(/\W+/g, '-')}`, { ...environment, EMBEDDINGS_BASE_URL: proxy.url });
      const store = { settings, index: openIndex(settings), worker: await startIngestionWorker(settings) };
      stores.push(store);
      return store;
    };

    beforeAll(async () => {
      proxy = await startCountingProxy(services().embeddingsBaseUrl);
      corpus = await corpusCopy();
      client = await temporalClient();
      first = await open({ VECTOR_STORE: 'embedded' });
      second = await open(await secondStore());
    });
    afterAll(async () => {
      for (const store of stores) {
        await store.worker.stop();
        await store.index.close();
      }
      await client?.close();
      await proxy?.close();
      await rm(corpus, { recursive: true, force: true });
    });

    it('writes every chunk into the new store from the staged vectors, with no embedding request', async () => {
      const before = await runJob(client.temporal, first.settings, { tenantId, sources: [corpus] });
      const expected = await Promise.all(names.map((fileName) => expectedPointIds(tenantId, file(fileName))));
      const total = expected.reduce((sum, ids) => sum + ids.length, 0);
      expect(before).toMatchObject({ status: 'completed', indexed: 4, embedded: total, written: total });
      expect(proxy.count(embeddingCalls)).toBeGreaterThan(0);
      expect(second.index.location).not.toBe(first.index.location);
      expect(await second.index.count(tenantId)).toBe(0);

      const requests = proxy.count(embeddingCalls);
      const moved = await runJob(client.temporal, second.settings, { tenantId, sources: [corpus] });
      expect(moved).toMatchObject({ status: 'completed', total: 4, indexed: 4, unchanged: 0, failed: 0, chunks: total, embedded: 0, written: total });
      expect(proxy.count(embeddingCalls)).toBe(requests);
      expect(await second.index.count(tenantId)).toBe(total);
      for (const [position, fileName] of names.entries()) expect(await pointsOf(second, tenantId, fileName)).toEqual(expected[position]);

      // Each store now holds the corpus: a re-run against either writes nothing.
      for (const store of [second, first]) {
        expect(await runJob(client.temporal, store.settings, { tenantId, sources: [corpus] })).toMatchObject({ unchanged: 4, indexed: 0, embedded: 0, written: 0 });
      }
    });

    // Starts its own chat stack and waits for the local model: slow on a loaded machine.
    it('answers a chat on the new store with a citation from it', async () => {
      const chatQueue = uniqueTaskQueue('switch');
      let worker: RunningWorker | undefined;
      let api: TestApi | undefined;
      try {
        [worker, api] = await Promise.all([startWorker(chatQueue, second.settings), startApi(chatQueue, second.settings)]);
        const socket = await ChatSocket.open(api.wsUrl, tenantId);
        const requestId = randomUUID();
        socket.send({ type: 'chat', requestId, message: 'How long does the Orbitra outdoor sensor mast run on its batteries?', maxTokens: 24 });
        const events = await socket.waitForEnd(requestId);
        await socket.close();
        const citations = events.find((event) => event.type === 'retrieval.citations')!.data.citations as { source: string; documentId: string; snippet: string }[];
        const batteries = file('orbitra-batteries-and-warranty.txt');
        expect(citations[0]).toMatchObject({ source: batteries, documentId: documentId(tenantId, batteries) });
        expect(citations[0]!.snippet).toContain('18 months');
        expect(events.at(-1)?.type).toBe('answer.done');
      } finally {
        await api?.close();
        await worker?.stop();
      }
    }, 240_000);

    it('brings the first store exactly in sync again after an edit and a deletion made on the second', async () => {
      const overview = file('orbitra-overview.md');
      const goneFromFirst = await pointsOf(first, tenantId, 'orbitra-setup.html');
      expect(goneFromFirst.length).toBeGreaterThan(0);
      await writeFile(overview, (await readFile(overview, 'utf8')).replace('12-hour local forecast', '36-hour local forecast'));
      await rm(file('orbitra-setup.html'));
      expect(await runJob(client.temporal, second.settings, { tenantId, sources: [corpus] })).toMatchObject({ indexed: 1, deleted: 1, unchanged: 2, failed: 0 });

      const requests = proxy.count(embeddingCalls);
      const back = await runJob(client.temporal, first.settings, { tenantId, sources: [corpus] });
      expect(back).toMatchObject({ status: 'completed', total: 4, indexed: 1, deleted: 1, unchanged: 2, embedded: 0, failed: 0 });
      expect(proxy.count(embeddingCalls)).toBe(requests);
      expect(await pointsOf(first, tenantId, 'orbitra-setup.html')).toEqual([]);
      expect(await pointsOf(first, tenantId, 'orbitra-overview.md')).toEqual(await expectedPointIds(tenantId, overview));
      expect(await first.index.count(tenantId)).toBe(await second.index.count(tenantId));
    });

    it('migrates one tenant\'s points with the migrate command, with no embedding request, and ingestion there finds them unchanged', async () => {
      const files = (await readdir(corpus)).length;
      expect(await runJob(client.temporal, first.settings, { tenantId: movedTenant, sources: [corpus] })).toMatchObject({ indexed: files });
      const target = await open(await secondStore());
      const points = await first.index.count(movedTenant);
      const othersBefore = await target.index.count(tenantId);
      const requests = proxy.count(embeddingCalls);
      const migrationId = `mig-${randomUUID().slice(0, 8)}`;

      const { stdout } = await run(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), [
        'scripts/migrate-vectors.ts', '--from', first.index.location, '--to', target.index.location, '--tenant', movedTenant, '--id', migrationId, '--page-size', '4',
      ], { cwd: projectRoot, env: { ...process.env, ...testEnvironment(first.settings) } });
      expect(stdout).toContain(`migration ${migrationId}: ${movedTenant}, ${first.index.location} → ${target.index.location}`);
      expect(stdout).toMatch(new RegExp(`\\] ${points}/${points} points · completed`));
      expect(proxy.count(embeddingCalls)).toBe(requests);

      expect(await target.index.count(movedTenant)).toBe(points);
      expect(await target.index.count(tenantId)).toBe(othersBefore);
      for (const fileName of ['orbitra-overview.md', 'orbitra-troubleshooting.md']) {
        expect(await pointsOf(target, movedTenant, fileName)).toEqual(await pointsOf(first, movedTenant, fileName));
      }
      const runs = (await temporalCli(['workflow', 'list', '--query', `WorkflowId='vectors-migrate-${migrationId}'`])) as { status: string }[];
      expect(runs.map((entry) => entry.status)).toEqual(['WORKFLOW_EXECUTION_STATUS_COMPLETED']);

      expect(await runJob(client.temporal, target.settings, { tenantId: movedTenant, sources: [corpus] })).toMatchObject({ unchanged: files, indexed: 0, embedded: 0, written: 0 });
      expect(proxy.count(embeddingCalls)).toBe(requests);
    });

    it('trusts a store for documents indexed before stores were recorded only when it holds their chunks', async () => {
      const files = (await readdir(corpus)).length;
      const job = await runJob(client.temporal, first.settings, { tenantId: legacyTenant, sources: [corpus] });
      expect(job).toMatchObject({ indexed: files });
      // As left by a deployment from before migration 0310: the catalog and chunks, no record of the store.
      const pool = createPool(services().databaseUrl);
      const recorded = (store: string) => pool.query('SELECT document_id FROM vector_store_documents WHERE tenant_id = $1 AND store = $2', [legacyTenant, store]);
      try {
        await pool.query('DELETE FROM vector_store_documents WHERE tenant_id = $1', [legacyTenant]);
        const requests = proxy.count(embeddingCalls);
        expect(await runJob(client.temporal, first.settings, { tenantId: legacyTenant, sources: [corpus] })).toMatchObject({ unchanged: files, written: 0 });
        expect((await recorded(first.index.location)).rowCount).toBe(files);
        expect(await runJob(client.temporal, second.settings, { tenantId: legacyTenant, sources: [corpus] })).toMatchObject({ indexed: files, embedded: 0, written: job.chunks });
        expect((await recorded(second.index.location)).rowCount).toBe(files);
        expect(proxy.count(embeddingCalls)).toBe(requests);
      } finally {
        await pool.end();
      }
    });

    it('copies every tenant across continued runs, reporting progress, and refuses a migration onto its own source', async () => {
      const target = await open(await secondStore());
      const { temporal } = client;
      // The first store (its own directory) holds exactly these tenants' points.
      const total = await countOf(first);
      expect(await first.index.count()).toBe(total);
      const migrationId = `mig-all-${randomUUID().slice(0, 8)}`;
      const input = { migrationId, from: first.index.location, to: target.index.location, pageSize: 5, pagesPerRun: 2 };
      const { workflowId } = await startMigration(temporal, first.settings.INGESTION_TASK_QUEUE!, input);
      const progress = await temporal.workflow.getHandle(workflowId).result();
      expect(progress).toMatchObject({ status: 'completed', copied: total });
      expect(await migrationState(temporal, migrationId)).toMatchObject({ state: 'completed', progress: { copied: total } });
      expect(await countOf(target)).toBe(total);
      const runs = (await temporalCli(['workflow', 'list', '--query', `WorkflowId='${workflowId}'`])) as { status: string }[];
      // Two pages of five points per run: every run but the last continued as new.
      expect(runs.filter((entry) => entry.status === 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW')).toHaveLength(Math.ceil(total / 10) - 1);

      const self = await startMigration(temporal, first.settings.INGESTION_TASK_QUEUE!, { migrationId: `${migrationId}-self`, from: first.index.location, to: first.index.location });
      await expect(temporal.workflow.getHandle(self.workflowId).result()).rejects.toThrow();
      expect(await migrationState(temporal, `${migrationId}-self`)).toMatchObject({ state: 'failed', error: 'from and to are the same store' });
    });
  });
}

// Two embedded stores (separate directories) always; the embedded store and Qdrant when the run has QDRANT_URL.
describeStoreSwitch('another embedded store', async () => ({ VECTOR_STORE: 'embedded', VECTOR_STORE_DIRECTORY: await mkdtemp(path.join(tmpdir(), 'ragtime-second-store-')) }));

const runStore = services().vectorStore;
describe.runIf(runStore.VECTOR_STORE === 'qdrant')('on Qdrant (QDRANT_URL set)', () => {
  describeStoreSwitch('Qdrant', async () => ({ ...runStore }));
});
