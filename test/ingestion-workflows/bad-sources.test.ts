// One source that cannot even be parsed does not sink a job: it becomes a failed document with its reason,
// the good documents are indexed, and the job ends `partial`.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { documentId } from '../../ingestion/identifiers.js';
import { ingestJobState } from '../../clients/ingestion-jobs.js';
import type { VectorIndex } from '../../ingestion/ports.js';
import { ingestionSettings, runJob, sampleCorpus, startIngestionSuite, type IngestionSuite } from '../support/ingestion.js';

describe('an ingestion job with invalid URLs among good ones', () => {
  const tenantId = `bad-${randomUUID().slice(0, 6)}`;
  let settings: Record<string, string>;
  let suite: IngestionSuite | undefined;
  let client: { temporal: Client; close(): Promise<void> };
  let index: VectorIndex;
  let server: http.Server;
  let baseUrl: string;

  beforeAll(async () => {
    settings = await ingestionSettings('bad-sources', { INGESTION_TRUSTED_NETWORKS: '127.0.0.0/8' });
    server = http.createServer((request, response) => {
      readFile(path.join(sampleCorpus, path.basename(request.url ?? ''))).then(
        (bytes) => response.writeHead(200, { 'content-type': 'text/markdown' }).end(bytes),
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    suite = await startIngestionSuite(settings);
    ({ client, index } = suite);
  });
  afterAll(async () => {
    await suite?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('indexes the good documents, fails each bad one with its reason and ends partial', async () => {
    const good = [`${baseUrl}/orbitra-overview.md`, `${baseUrl}/orbitra-troubleshooting.md`];
    const bad = ['http://example.com:99999/', 'http://[fe80::1%25lo]/'];
    const job = await runJob(client.temporal, settings, { tenantId, sources: [good[0]!, bad[0]!, good[1]!, bad[1]!] });

    expect(job).toMatchObject({ status: 'completed', total: 4, processed: 4, indexed: 2, failed: 2 });
    expect(job.failures.map((failure) => failure.reason).sort()).toEqual(bad.map((source) => `${source}: not a valid URL`).sort());
    for (const source of good) expect((await index.listDocumentPointIds(tenantId, documentId(tenantId, source))).length).toBeGreaterThan(0);
    const state = await ingestJobState(client.temporal, tenantId, job.jobId);
    expect(state).toMatchObject({ state: 'partial', progress: { indexed: 2, failed: 2 } });
  });
});
