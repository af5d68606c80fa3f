// Qdrant adapter: one collection per embedding model with a named dense vector and a named sparse
// keyword vector, hybrid search fused with RRF in Qdrant's Query API, and a tenant payload index. The
// client is not allowed to retry: Temporal is.
// Keyword scores are BM25 as in the embedded store: query values are term frequencies, Qdrant's "idf"
// modifier multiplies in each term's IDF, and the stored values are BM25's saturated term weights.
// Qdrant cannot length-normalise at query time, so the weights are computed at write time with the
// tenant's average passage length as it stands then: estimated from the batch and a page of stored
// points (ids are random UUIDs, so the first page by id is a sample). Differences from the embedded
// store: Qdrant's IDF counts the whole collection, not one tenant, and earlier points keep the average
// of their write time.
// Every point records the keyword vector version it was written with; opening the collection re-keys
// the points of another version from their text.
import { QdrantClient, QdrantClientResourceExhaustedError, QdrantClientTimeoutError, QdrantClientUnexpectedResponseError, type Schemas } from '@qdrant/js-client-rest';
import { bm25PassageWeights, chunkKeywordVector, keywordLength, keywordVectorVersion, termFrequenciesFromWeights } from '../../ingestion/keyword-vector.js';
import { defaultCandidates, type ChunkPayload, type HybridQuery, type IndexedPoint, type PointPage, type SearchHit, type SparseVector, type VectorIndex } from '../../ingestion/ports.js';
import { formatLocation } from './store-location.js';
import { VectorStoreError } from '../../ingestion/ingestion-errors.js';

export interface QdrantVectorIndexOptions {
  url: string;
  apiKey?: string;
  /** One collection per embedding model, e.g. collectionName(embedder). */
  collection: string;
  dimensions: number;
  timeoutMs?: number;
}

const dense = 'dense';
const keywords = 'keywords';
const upsertBatch = 256;
const scrollPage = 1000;
/** Stored points read to estimate a tenant's average passage length. */
const lengthSample = 256;

type Filter = Schemas['Filter'];

export class QdrantVectorIndex implements VectorIndex {
  private readonly client: QdrantClient;
  private readonly collection: string;
  readonly location: string;

  constructor(private readonly options: QdrantVectorIndexOptions) {
    this.client = new QdrantClient({ url: options.url, ...(options.apiKey ? { apiKey: options.apiKey } : {}), timeout: options.timeoutMs ?? 30_000, checkCompatibility: false });
    this.collection = options.collection;
    this.location = formatLocation({ kind: 'qdrant', url: options.url });
  }

  async ensureCollection(): Promise<void> {
    await this.call('ensure collection', async () => {
      const { exists } = await this.client.collectionExists(this.collection);
      if (!exists) {
        try {
          await this.client.createCollection(this.collection, {
            vectors: { [dense]: { size: this.options.dimensions, distance: 'Cosine' } },
            sparse_vectors: { [keywords]: { modifier: 'idf' } },
          });
        } catch (error) {
          // Another worker created it first.
          if (!(await this.client.collectionExists(this.collection)).exists) throw error;
        }
      }
      const info = await this.client.getCollection(this.collection);
      const vectors = info.config.params.vectors as Record<string, { size: number }> | undefined;
      const size = vectors?.[dense]?.size;
      if (size !== this.options.dimensions) {
        throw new VectorStoreError(`Qdrant collection ${this.collection} holds ${size ?? 'unnamed'}-dimensional "${dense}" vectors, not ${this.options.dimensions}`, false);
      }
      await this.client.createPayloadIndex(this.collection, { field_name: 'tenant', field_schema: { type: 'keyword', is_tenant: true }, wait: true });
      await this.client.createPayloadIndex(this.collection, { field_name: 'documentId', field_schema: 'keyword', wait: true });
    });
    await this.rekeyOlderPoints();
  }

  /**
   * Points written with another keyword vector version get their keyword vectors again, made from their text
   * (dense vectors and payloads stay). Runs on every start; with nothing to do it costs one empty scroll.
   */
  private async rekeyOlderPoints(): Promise<void> {
    const older: Filter = { must_not: [{ key: versionField, match: { value: keywordVectorVersion } }] };
    let offset: Schemas['ExtendedPointId'] | undefined;
    do {
      const page = await this.call('re-key keyword vectors', () => this.client.scroll(this.collection, { filter: older, limit: upsertBatch, with_payload: true, with_vector: [dense], ...(offset !== undefined ? { offset } : {}) }));
      const points = page.points.flatMap((stored): IndexedPoint[] => {
        const payload = chunkPayload(stored.payload);
        const vector = (stored.vector as { [dense]?: number[] } | undefined)?.[dense];
        return vector && typeof payload.text === 'string' ? [{ id: String(stored.id), dense: vector, sparse: chunkKeywordVector(payload), payload }] : [];
      });
      if (points.length > 0) await this.upsert(points);
      offset = (page.next_page_offset ?? undefined) as Schemas['ExtendedPointId'] | undefined;
    } while (offset !== undefined);
  }

  async upsert(points: readonly IndexedPoint[]): Promise<void> {
    await this.call('upsert', async () => {
      const averageLengths = await this.averageLengths(points);
      for (let start = 0; start < points.length; start += upsertBatch) {
        await this.client.upsert(this.collection, {
          wait: true,
          points: points.slice(start, start + upsertBatch).map((point) => ({
            id: point.id,
            // A passage with no keyword terms simply has no sparse vector.
            vector: point.sparse.indices.length > 0
              ? { [dense]: point.dense, [keywords]: bm25PassageWeights(point.sparse, averageLengths.get(point.payload.tenant)!) }
              : { [dense]: point.dense },
            payload: { ...point.payload, [lengthField]: keywordLength(point.sparse), [averageField]: averageLengths.get(point.payload.tenant)!, [versionField]: keywordVectorVersion },
          })),
        });
      }
    });
  }

  /** Per tenant of the batch: the mean passage length over the batch and a sample of the stored points. */
  private async averageLengths(points: readonly IndexedPoint[]): Promise<Map<string, number>> {
    const totals = new Map<string, { length: number; count: number }>();
    for (const point of points) {
      const total = totals.get(point.payload.tenant) ?? { length: 0, count: 0 };
      total.length += keywordLength(point.sparse);
      total.count += 1;
      totals.set(point.payload.tenant, total);
    }
    const averages = new Map<string, number>();
    for (const [tenant, total] of totals) {
      const page = await this.client.scroll(this.collection, { filter: { must: [tenantCondition(tenant)] }, limit: lengthSample, with_payload: [lengthField], with_vector: false });
      for (const stored of page.points) {
        const length = (stored.payload as Record<string, unknown> | null | undefined)?.[lengthField];
        if (typeof length !== 'number') continue;
        total.length += length;
        total.count += 1;
      }
      averages.set(tenant, total.length / total.count);
    }
    return averages;
  }

  async deletePoints(tenant: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.call('delete points', () => this.client.delete(this.collection, { wait: true, filter: { must: [tenantCondition(tenant), { has_id: [...ids] }] } }));
  }

  async deleteDocument(tenant: string, documentId: string): Promise<void> {
    await this.call('delete document', () => this.client.delete(this.collection, { wait: true, filter: documentFilter(tenant, documentId) }));
  }

  async listDocumentPointIds(tenant: string, documentId: string): Promise<string[]> {
    return this.call('list document points', async () => {
      const ids: string[] = [];
      let offset: Schemas['ExtendedPointId'] | undefined;
      do {
        const page = await this.client.scroll(this.collection, { filter: documentFilter(tenant, documentId), limit: scrollPage, with_payload: false, with_vector: false, ...(offset !== undefined ? { offset } : {}) });
        ids.push(...page.points.map((point) => String(point.id)));
        offset = (page.next_page_offset ?? undefined) as Schemas['ExtendedPointId'] | undefined;
      } while (offset !== undefined);
      return ids;
    });
  }

  async query({ tenant, dense: denseVector, sparse, limit, candidates = defaultCandidates(limit), mode = 'hybrid' }: HybridQuery): Promise<SearchHit[]> {
    if (limit <= 0) return [];
    const filter: Filter = { must: [tenantCondition(tenant)] };
    const hasKeywords = sparse.indices.length > 0;
    if (mode === 'keyword' && !hasKeywords) return [];
    const result = await this.call('query', () => {
      if (mode === 'dense' || !hasKeywords) return this.client.query(this.collection, { query: denseVector, using: dense, filter, limit, with_payload: true });
      if (mode === 'keyword') return this.client.query(this.collection, { query: sparse, using: keywords, filter, limit, with_payload: true });
      return this.client.query(this.collection, {
        prefetch: [
          { query: denseVector, using: dense, filter, limit: candidates },
          { query: sparse, using: keywords, filter, limit: candidates },
        ],
        query: { fusion: 'rrf' },
        filter,
        limit,
        with_payload: true,
      });
    });
    return result.points.map((point) => ({ id: String(point.id), score: point.score, payload: chunkPayload(point.payload) }));
  }

  /** Pages in Qdrant's id order; the cursor is Qdrant's next page offset (a point id). */
  async scroll({ tenant, from, limit }: { tenant?: string; from?: string; limit: number }): Promise<PointPage> {
    return this.call('scroll', async () => {
      const page = await this.client.scroll(this.collection, {
        limit: Math.max(1, limit),
        with_payload: true,
        with_vector: true,
        ...(tenant !== undefined ? { filter: { must: [tenantCondition(tenant)] } } : {}),
        ...(from !== undefined ? { offset: from } : {}),
      });
      const points = page.points.map((point) => {
        const vectors = point.vector as { [dense]?: number[]; [keywords]?: SparseVector } | undefined;
        const keywordVector = vectors?.[keywords];
        const stored = (point.payload ?? {}) as Record<string, unknown>;
        const weights = keywordVector ? { indices: [...keywordVector.indices], values: [...keywordVector.values] } : { indices: [], values: [] };
        const payload = chunkPayload(stored);
        // Points are handed on with term frequencies, as the port carries them; those of another keyword vector
        // version (not yet re-keyed by ensureCollection) with their text's, so a migration never copies stale ones.
        const sparse = stored[versionField] !== keywordVectorVersion && typeof payload.text === 'string'
          ? chunkKeywordVector(payload)
          : typeof stored[lengthField] === 'number' && typeof stored[averageField] === 'number'
            ? termFrequenciesFromWeights(weights, stored[lengthField], stored[averageField])
            : weights;
        return { id: String(point.id), dense: vectors?.[dense] ?? [], sparse, payload };
      });
      const next = page.next_page_offset ?? undefined;
      return next === undefined || next === null ? { points } : { points, next: String(next) };
    });
  }

  async count(tenant?: string): Promise<number> {
    return this.call('count', async () => (await this.client.count(this.collection, { exact: true, ...(tenant !== undefined ? { filter: { must: [tenantCondition(tenant)] } } : {}) })).count);
  }

  async close(): Promise<void> {}

  private async call<T>(operation: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof VectorStoreError) throw error;
      throw new VectorStoreError(`Qdrant ${operation} on ${this.collection} failed: ${(error as Error).message}`, isRetryable(error), { cause: error });
    }
  }
}

/**
 * Payload fields: a point's keyword length (the sum of its term frequencies), the average its weights were
 * computed with, and the keywordVectorVersion its keyword vector was made with (absent before version 2).
 */
const lengthField = 'keywordLength';
const averageField = 'keywordAverageLength';
const versionField = 'keywordVersion';

function chunkPayload(stored: Record<string, unknown> | null | undefined): ChunkPayload {
  const { [lengthField]: _length, [averageField]: _average, [versionField]: _version, ...payload } = stored ?? {};
  return payload as unknown as ChunkPayload;
}

function tenantCondition(tenant: string): Schemas['FieldCondition'] {
  return { key: 'tenant', match: { value: tenant } };
}

function documentFilter(tenant: string, documentId: string): Filter {
  return { must: [tenantCondition(tenant), { key: 'documentId', match: { value: documentId } }] };
}

/** Timeouts, rate limits, server errors and network failures pass; a 4xx means the request itself is wrong. */
function isRetryable(error: unknown): boolean {
  if (error instanceof QdrantClientTimeoutError || error instanceof QdrantClientResourceExhaustedError) return true;
  // Error responses arrive as the fetch layer's ApiError (with status) or as an unexpected-response error.
  const status = typeof (error as { status?: unknown }).status === 'number'
    ? (error as { status: number }).status
    : error instanceof QdrantClientUnexpectedResponseError ? Number(/\b([45]\d\d)\b/.exec(error.message)?.[1]) : undefined;
  if (status === undefined || Number.isNaN(status)) return true;
  return status >= 500 || status === 408 || status === 429;
}
