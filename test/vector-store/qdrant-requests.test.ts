// What the Qdrant adapter asks of Qdrant's REST API, checked request by request. No Qdrant server can
// run here, so this records the adapter's requests and answers with Qdrant's response envelopes; the
// behaviour itself is covered by the shared contract suite when QDRANT_URL is set.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bm25PassageWeights, bm25TermWeight, chunkKeywordVector, keywordLength, keywordVectorVersion } from '../../ingestion/keyword-vector.js';
import { QdrantVectorIndex } from '../../infra/vector-store/qdrant-vector-index.js';

interface Recorded { method: string; path: string; body: unknown }
let server: Server;
let url: string;
let requests: Recorded[];
let failWith: number | undefined;

const results: Record<string, unknown> = {
  'GET /collections/ragtime_test/exists': { exists: false },
  'GET /collections/ragtime_test': { config: { params: { vectors: { dense: { size: 3, distance: 'Cosine' } } } } },
  'POST /collections/ragtime_test/points/query': { points: [{ id: 'b5c1f6a4-2d7e-5f3a-9c8b-1e2d3f4a5b6c', version: 1, score: 0.5, payload: { tenant: 'acme', documentId: 'd' } }] },
  'POST /collections/ragtime_test/points/scroll': { points: [{ id: 'b5c1f6a4-2d7e-5f3a-9c8b-1e2d3f4a5b6c' }], next_page_offset: null },
  'POST /collections/ragtime_test/points/count': { count: 7 },
};

beforeAll(async () => {
  server = createServer((request, response) => void answer(request, response).catch((error: unknown) => response.destroy(error as Error)));
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const text = Buffer.concat(await request.toArray()).toString();
    const path = request.url!.split('?')[0]!;
    requests.push({ method: request.method!, path: request.url!, body: text ? JSON.parse(text) : undefined });
    if (failWith) {
      response.writeHead(failWith, { 'content-type': 'application/json' }).end(JSON.stringify({ status: { error: 'failed' }, time: 0 }));
      return;
    }
    const result = results[`${request.method} ${path}`] ?? { operation_id: 1, status: 'completed' };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result, status: 'ok', time: 0 }));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => { requests = []; failWith = undefined; });

const index = () => new QdrantVectorIndex({ url, collection: 'ragtime_test', dimensions: 3 });
const sent = (method: string, path: string) => requests.find((request) => request.method === method && request.path.split('?')[0] === path)?.body;

describe('QdrantVectorIndex requests', () => {
  it('creates a collection with named dense and IDF sparse vectors and a tenant index', async () => {
    await index().ensureCollection();
    expect(sent('PUT', '/collections/ragtime_test')).toEqual({ vectors: { dense: { size: 3, distance: 'Cosine' } }, sparse_vectors: { keywords: { modifier: 'idf' } } });
    expect(requests.filter((request) => request.path.startsWith('/collections/ragtime_test/index')).map((request) => request.body)).toEqual([
      { field_name: 'tenant', field_schema: { type: 'keyword', is_tenant: true } },
      { field_name: 'documentId', field_schema: 'keyword' },
    ]);
  });

  it('fuses a dense and a sparse prefetch with RRF, filtering every stage by tenant', async () => {
    const hits = await index().query({ tenant: 'acme', dense: [1, 0, 0], sparse: { indices: [7], values: [1] }, limit: 5, candidates: 40 });
    const filter = { must: [{ key: 'tenant', match: { value: 'acme' } }] };
    expect(sent('POST', '/collections/ragtime_test/points/query')).toEqual({
      prefetch: [
        { query: [1, 0, 0], using: 'dense', filter, limit: 40 },
        { query: { indices: [7], values: [1] }, using: 'keywords', filter, limit: 40 },
      ],
      query: { fusion: 'rrf' }, filter, limit: 5, with_payload: true,
    });
    expect(hits).toEqual([{ id: 'b5c1f6a4-2d7e-5f3a-9c8b-1e2d3f4a5b6c', score: 0.5, payload: { tenant: 'acme', documentId: 'd' } }]);
  });

  it('scopes deletes, listings and counts to the tenant', async () => {
    await index().deletePoints('acme', ['p1']);
    await index().deleteDocument('acme', 'd');
    expect(await index().listDocumentPointIds('acme', 'd')).toEqual(['b5c1f6a4-2d7e-5f3a-9c8b-1e2d3f4a5b6c']);
    expect(await index().count('acme')).toBe(7);
    const tenant = { key: 'tenant', match: { value: 'acme' } };
    expect(requests.map((request) => request.body)).toEqual([
      { filter: { must: [tenant, { has_id: ['p1'] }] } },
      { filter: { must: [tenant, { key: 'documentId', match: { value: 'd' } }] } },
      { filter: { must: [tenant, { key: 'documentId', match: { value: 'd' } }] }, limit: 1000, with_payload: false, with_vector: false },
      { exact: true, filter: { must: [tenant] } },
    ]);
  });

  it('upserts BM25 weights for the tenant\'s average length (batch and stored sample), the length in the payload, no empty keyword vector', async () => {
    const payload = { tenant: 'acme', documentId: 'd', title: 't', source: 's', position: 0, headingPath: [], text: 'x', contentHash: 'h' };
    // The stored sample (scroll) holds one point of length 7 and one without a length; the batch adds lengths 3 and 0.
    results['POST /collections/ragtime_test/points/scroll'] = { points: [{ id: 'x', payload: { keywordLength: 7 } }, { id: 'y', payload: {} }], next_page_offset: null };
    try {
      await index().upsert([
        { id: 'a', dense: [1, 0, 0], sparse: { indices: [1, 2], values: [2, 1] }, payload },
        { id: 'b', dense: [0, 1, 0], sparse: { indices: [], values: [] }, payload },
      ]);
    } finally {
      results['POST /collections/ragtime_test/points/scroll'] = { points: [{ id: 'b5c1f6a4-2d7e-5f3a-9c8b-1e2d3f4a5b6c' }], next_page_offset: null };
    }
    expect(sent('POST', '/collections/ragtime_test/points/scroll')).toEqual({ filter: { must: [{ key: 'tenant', match: { value: 'acme' } }] }, limit: 256, with_payload: ['keywordLength'], with_vector: false });
    const average = (3 + 0 + 7) / 3;
    expect(sent('PUT', '/collections/ragtime_test/points')).toEqual({ points: [
      { id: 'a', vector: { dense: [1, 0, 0], keywords: { indices: [1, 2], values: [bm25TermWeight(2, 3, average), bm25TermWeight(1, 3, average)] } }, payload: { ...payload, keywordLength: 3, keywordAverageLength: average, keywordVersion: keywordVectorVersion } },
      { id: 'b', vector: { dense: [0, 1, 0] }, payload: { ...payload, keywordLength: 0, keywordAverageLength: average, keywordVersion: keywordVectorVersion } },
    ] });
  });

  it('re-keys points written with another keyword vector version from their text when the collection is opened', async () => {
    const payload = { tenant: 'acme', documentId: 'd', title: 'Wing flutter', source: 's', position: 0, headingPath: [], text: 'Flutter of a swept wing.', contentHash: 'h' };
    const scroll = 'POST /collections/ragtime_test/points/scroll';
    const listing = results[scroll];
    // A version 1 point (no version field) with its old keyword weights, and one without text, which is left alone.
    results[scroll] = { points: [
      { id: 'old', payload: { ...payload, keywordLength: 4, keywordAverageLength: 4 }, vector: { dense: [1, 0, 0] } },
      { id: 'bare', payload: { tenant: 'acme' }, vector: { dense: [0, 1, 0] } },
    ], next_page_offset: null };
    try {
      await index().ensureCollection();
    } finally {
      results[scroll] = listing;
    }
    expect(sent('POST', '/collections/ragtime_test/points/scroll')).toEqual({ filter: { must_not: [{ key: 'keywordVersion', match: { value: keywordVectorVersion } }] }, limit: 256, with_payload: true, with_vector: ['dense'] });
    const keywords = chunkKeywordVector(payload);
    const length = keywordLength(keywords);
    // The average comes from the rewritten point and the stored sample (the same scroll answer: the old length 4).
    const average = (length + 4) / 2;
    expect(sent('PUT', '/collections/ragtime_test/points')).toEqual({ points: [{
      id: 'old',
      vector: { dense: [1, 0, 0], keywords: bm25PassageWeights(keywords, average) },
      payload: { ...payload, keywordLength: length, keywordAverageLength: average, keywordVersion: keywordVectorVersion },
    }] });
  });

  it('scrolls a tenant\'s points with vectors and payload, passing the cursor on', async () => {
    const payload = { tenant: 'acme', documentId: 'd', title: 't', source: 's', position: 0, headingPath: [], text: 'x', contentHash: 'h' };
    const scroll = 'POST /collections/ragtime_test/points/scroll';
    const listing = results[scroll];
    const current = { ...payload, keywordVersion: keywordVectorVersion };
    results[scroll] = {
      points: [
        { id: 'a', payload: current, vector: { dense: [1, 0, 0], keywords: { indices: [1], values: [0.5] } } },
        { id: 'b', payload: current, vector: { dense: [0, 1, 0] } },
        // Written with BM25 weights for length 5 at average 4: handed on as term frequencies again.
        { id: 'w', payload: { ...current, keywordLength: 5, keywordAverageLength: 4 }, vector: { dense: [0, 0, 1], keywords: { indices: [3, 9], values: [bm25TermWeight(3, 5, 4), bm25TermWeight(2, 5, 4)] } } },
        // Written by keyword vector version 1 and not re-keyed yet: handed on with its text's keyword vector.
        { id: 'v1', payload: { ...payload, text: 'Swept wing flutter', keywordLength: 5, keywordAverageLength: 4 }, vector: { dense: [0, 0, 1], keywords: { indices: [3], values: [1] } } },
      ],
      next_page_offset: 'c',
    };
    try {
      const page = await index().scroll({ tenant: 'acme', from: 'a', limit: 2 });
      expect(page).toEqual({ next: 'c', points: [
        { id: 'a', dense: [1, 0, 0], sparse: { indices: [1], values: [0.5] }, payload },
        { id: 'b', dense: [0, 1, 0], sparse: { indices: [], values: [] }, payload },
        { id: 'w', dense: [0, 0, 1], sparse: { indices: [3, 9], values: [3, 2] }, payload },
        { id: 'v1', dense: [0, 0, 1], sparse: chunkKeywordVector({ ...payload, text: 'Swept wing flutter' }), payload: { ...payload, text: 'Swept wing flutter' } },
      ] });
      expect(sent('POST', '/collections/ragtime_test/points/scroll')).toEqual({ limit: 2, with_payload: true, with_vector: true, filter: { must: [{ key: 'tenant', match: { value: 'acme' } }] }, offset: 'a' });
      expect(index().location).toBe(`qdrant:${url}`);
    } finally {
      results[scroll] = listing;
    }
  });

  it('returns hits without the stored keyword length', async () => {
    const answer = results['POST /collections/ragtime_test/points/query'];
    results['POST /collections/ragtime_test/points/query'] = { points: [{ id: 'p', version: 1, score: 0.5, payload: { tenant: 'acme', documentId: 'd', keywordLength: 4 } }] };
    const hits = await index().query({ tenant: 'acme', dense: [1, 0, 0], sparse: { indices: [7], values: [2] }, limit: 5, mode: 'keyword' }).finally(() => { results['POST /collections/ragtime_test/points/query'] = answer; });
    expect(hits).toEqual([{ id: 'p', score: 0.5, payload: { tenant: 'acme', documentId: 'd' } }]);
    expect(sent('POST', '/collections/ragtime_test/points/query')).toMatchObject({ query: { indices: [7], values: [2] }, using: 'keywords' });
  });

  it.each([[503, true], [429, true], [400, false], [404, false]])('reports HTTP %i as retryable=%s', async (status, retryable) => {
    failWith = status;
    await expect(index().count()).rejects.toMatchObject({ name: 'VectorStoreError', retryable });
  });
});
