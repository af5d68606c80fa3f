import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { localEmbedder } from '../../infra/embeddings/local-embedding-server.js';
import { VectorRetriever, type VectorRetrieverOptions } from '../../infra/retrieval/vector-retriever.js';
import type { VectorIndex } from '../../ingestion/ports.js';
import { ingestionSettings, openIndex, runJob, sampleCorpus, startIngestionWorker, temporalClient } from '../support/ingestion.js';
import { services } from '../support/services.js';

// The chat's retriever over what the ingestion workflows indexed, on the run's vector store (Qdrant when
// QDRANT_URL is set, else the embedded one), read through the VectorIndex port.
describe('retrieval over ingested documents', () => {
  const tenantA = `ret-a-${randomUUID().slice(0, 6)}`;
  const tenantB = `ret-b-${randomUUID().slice(0, 6)}`;
  const options: VectorRetrieverOptions = { topK: 4, candidates: 20, tokenBudget: 500, timeoutMs: 10_000, rerank: true, queryExpansion: false };
  let settings: Record<string, string>;
  let worker: { stop(): Promise<void> };
  let client: { temporal: Client; close(): Promise<void> };
  let index: VectorIndex;
  let otherCorpus: string;

  beforeAll(async () => {
    settings = await ingestionSettings('retrieval');
    otherCorpus = await mkdtemp(path.join(tmpdir(), 'ragtime-tenant-b-'));
    // Tenant B's document is about the same product and uses the same words, so only the filter keeps it out.
    await writeFile(path.join(otherCorpus, 'orbitra-b-batteries.md'), '# Orbitra batteries at Globex\n\nOur Orbitra outdoor sensor mast batteries last 5 weeks, Globex internal note.');
    [worker, client] = await Promise.all([startIngestionWorker(settings), temporalClient()]);
    const [a, b] = await Promise.all([
      runJob(client.temporal, settings, { tenantId: tenantA, sources: [sampleCorpus] }),
      runJob(client.temporal, settings, { tenantId: tenantB, sources: [otherCorpus] }),
    ]);
    expect([a.indexed, b.indexed]).toEqual([4, 1]);
    index = openIndex(settings);
  });
  afterAll(async () => {
    await worker?.stop();
    await client?.close();
    await index?.close();
    await rm(otherCorpus, { recursive: true, force: true });
  });

  it('finds the document that answers the question, numbered, within the token budget', async () => {
    const retriever = new VectorRetriever(index, localEmbedder(services().embeddingsBaseUrl), options);
    const citations = await retriever.search(tenantA, 'How long does the outdoor sensor mast run on its batteries?', {});
    expect(citations.map((citation) => citation.index)).toEqual(citations.map((_, position) => position + 1));
    expect(citations[0]).toMatchObject({ title: 'orbitra-batteries-and-warranty', source: path.join(sampleCorpus, 'orbitra-batteries-and-warranty.txt') });
    expect(citations[0]!.snippet).toContain('18 months');
    const estimated = citations.reduce((sum, citation) => sum + Math.ceil(citation.title.length / 4) + 4 + Math.ceil(citation.snippet.length / 4), 0);
    expect(estimated).toBeLessThanOrEqual(options.tokenBudget);

    const expanded = new VectorRetriever(index, localEmbedder(services().embeddingsBaseUrl), { ...options, queryExpansion: true, rerank: false });
    expect((await expanded.search(tenantA, 'How long does the outdoor sensor mast run on its batteries?', {}))[0]?.title).toBe('orbitra-batteries-and-warranty');
  });

  it("never returns another tenant's chunks", async () => {
    const retriever = new VectorRetriever(index, localEmbedder(services().embeddingsBaseUrl), options);
    const question = 'How long do the Orbitra outdoor sensor mast batteries last?';
    const [forA, forB] = await Promise.all([retriever.search(tenantA, question, {}), retriever.search(tenantB, question, {})]);
    expect(forA.length).toBeGreaterThan(0);
    expect(forA.every((citation) => citation.source.startsWith(sampleCorpus))).toBe(true);
    expect(forB.map((citation) => citation.title)).toEqual(['Orbitra batteries at Globex']);
    expect(await retriever.search(`nobody-${randomUUID().slice(0, 6)}`, question, {})).toEqual([]);
    expect(await retriever.hasDocuments(tenantA)).toBe(true);
    expect(await retriever.hasDocuments(`nobody-${randomUUID().slice(0, 6)}`)).toBe(false);
  });

  it('gives up with a clear error when the search outlasts its time limit', async () => {
    // An embedding server that accepts connections and never answers.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`;
      const retriever = new VectorRetriever(index, localEmbedder(baseUrl), { ...options, timeoutMs: 300 });
      const started = Date.now();
      await expect(retriever.search(tenantA, 'batteries', {})).rejects.toMatchObject({ name: 'RetrievalError', message: 'document search timed out after 300 ms' });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
