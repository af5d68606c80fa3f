// The local default vector store: in memory per tenant, durable in an append-only log under a data
// directory. Same contract as the Qdrant adapter: dense cosine and BM25 keyword search (each tenant's
// IDF and average passage length, at query time) fused with reciprocal rank fusion, the tenant filter
// applied to every read and delete. Points logged with another keyword vector version are re-keyed from
// their text when read, and opening then rewrites the log.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chunkKeywordVector, keywordVectorVersion } from '../../ingestion/keyword-vector.js';
import { defaultCandidates, type HybridQuery, type IndexedPoint, type PointPage, type SearchHit, type VectorIndex } from '../../ingestion/ports.js';
import { PointLog, type LoggedPoint, type LogRecord } from './point-log.js';
import { reciprocalRankFusion } from './reciprocal-rank-fusion.js';
import { formatLocation } from './store-location.js';
import { TenantPartition, type StoredPoint } from './tenant-partition.js';
import { VectorStoreError } from '../../ingestion/ingestion-errors.js';

export interface EmbeddedVectorIndexOptions {
  /** Data directory; each collection is a folder inside it. */
  directory: string;
  /** One collection per embedding model, e.g. collectionName(embedder). */
  collection: string;
  dimensions: number;
  /** Opening rewrites the log once it holds more records than this and four times what the live points need. */
  rewriteAfterRecords?: number;
}

const upsertBatch = 256;

export class EmbeddedVectorIndex implements VectorIndex {
  private readonly partitions = new Map<string, TenantPartition>();
  private readonly tenantById = new Map<string, string>();
  /** Sorted ids for scroll, per tenant ('' for all); cleared by every change. */
  private readonly sortedIds = new Map<string, string[]>();
  private readonly log: PointLog;
  private readonly folder: string;
  readonly location: string;
  private opened = false;
  /** Log records behind the current state; many more than the live points need means a rewrite pays. */
  private appliedRecords = 0;
  /** Points read from the log with an older keyword vector version and re-keyed; opening then rewrites the log. */
  private rekeyedPoints = 0;
  /** Refreshes run one at a time, so no log record is applied twice or out of order. */
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly options: EmbeddedVectorIndexOptions) {
    this.folder = join(options.directory, options.collection);
    this.location = formatLocation({ kind: 'embedded', directory: options.directory });
    this.log = new PointLog(join(this.folder, 'points.jsonl'));
  }

  async ensureCollection(): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    const manifestPath = join(this.folder, 'collection.json');
    const manifest = await readFile(manifestPath, 'utf8').then((text) => JSON.parse(text) as { dimensions: number }, () => undefined);
    if (!manifest) await writeFile(manifestPath, JSON.stringify({ dimensions: this.options.dimensions }), { flag: 'wx' }).catch(() => undefined);
    else if (manifest.dimensions !== this.options.dimensions) {
      throw new VectorStoreError(`collection ${this.options.collection} holds ${manifest.dimensions}-dimensional vectors, not ${this.options.dimensions}`, false);
    }
    if (!this.opened) {
      await this.refresh();
      if (this.logIsMostlySuperseded() || this.rekeyedPoints > 0) await this.log.rewrite(this.liveRecords());
      this.rekeyedPoints = 0;
      this.opened = true;
    }
  }

  async upsert(points: readonly IndexedPoint[]): Promise<void> {
    await this.ready();
    for (const point of points) {
      if (point.dense.length !== this.options.dimensions) throw new VectorStoreError(`point ${point.id} has ${point.dense.length} dimensions, the collection ${this.options.dimensions}`, false);
    }
    const records: LogRecord[] = [];
    for (let start = 0; start < points.length; start += upsertBatch) {
      records.push({ op: 'upsert', points: points.slice(start, start + upsertBatch).map((point) => toLog({ ...point, dense: normalized(point.dense) })) });
    }
    await this.write(records);
  }

  async deletePoints(tenant: string, ids: readonly string[]): Promise<void> {
    await this.ready();
    if (ids.length > 0) await this.write([{ op: 'delete', tenant, ids: [...ids] }]);
  }

  async deleteDocument(tenant: string, documentId: string): Promise<void> {
    await this.ready();
    await this.write([{ op: 'delete-document', tenant, documentId }]);
  }

  async listDocumentPointIds(tenant: string, documentId: string): Promise<string[]> {
    await this.ready();
    return this.partitions.get(tenant)?.documentPointIds(documentId) ?? [];
  }

  async query({ tenant, dense, sparse, limit, candidates = defaultCandidates(limit), mode = 'hybrid' }: HybridQuery): Promise<SearchHit[]> {
    await this.ready();
    const partition = this.partitions.get(tenant);
    if (!partition || limit <= 0) return [];
    const toHit = ({ point, score }: { point: StoredPoint; score: number }): SearchHit => ({ id: point.id, score, payload: point.payload });
    if (mode === 'dense') return partition.denseSearch(normalized(dense), limit).map(toHit);
    if (mode === 'keyword') return partition.keywordSearch(sparse, limit).map(toHit);
    const denseRanking = partition.denseSearch(normalized(dense), candidates).map(({ point }) => point.id);
    const keywordRanking = partition.keywordSearch(sparse, candidates).map(({ point }) => point.id);
    return reciprocalRankFusion([denseRanking, keywordRanking], limit).map(({ id, score }) => ({ id, score, payload: partition.point(id)!.payload }));
  }

  /** Pages in id order; the cursor is the first id of the next page. */
  async scroll({ tenant, from, limit }: { tenant?: string; from?: string; limit: number }): Promise<PointPage> {
    await this.ready();
    const ids = this.scrollOrder(tenant);
    let start = 0;
    if (from !== undefined) {
      // First id at or after the cursor.
      for (let end = ids.length; start < end;) {
        const middle = (start + end) >>> 1;
        if (ids[middle]! < from) start = middle + 1;
        else end = middle;
      }
    }
    const page = ids.slice(start, start + Math.max(1, limit));
    const points = page.map((id) => {
      const point = this.partitions.get(this.tenantById.get(id)!)!.point(id)!;
      return { id, dense: [...point.dense], sparse: { indices: [...point.sparse.indices], values: [...point.sparse.values] }, payload: point.payload };
    });
    const next = ids[start + page.length];
    return next === undefined ? { points } : { points, next };
  }

  async count(tenant?: string): Promise<number> {
    await this.ready();
    if (tenant !== undefined) return this.partitions.get(tenant)?.size ?? 0;
    return this.tenantById.size;
  }

  async close(): Promise<void> {
    await this.refreshing;
    this.sortedIds.clear();
    this.partitions.clear();
    this.tenantById.clear();
    this.log.rewind();
    this.opened = false;
  }

  private async ready(): Promise<void> {
    if (!this.opened) await this.ensureCollection();
    else await this.refresh();
  }

  private async write(records: LogRecord[]): Promise<void> {
    await this.log.append(records);
    await this.refresh();
  }

  /** Applies what this or another process appended to the log since the last look. */
  private refresh(): Promise<void> {
    const next = this.refreshing.then(() => this.applyNewRecords());
    this.refreshing = next.catch(() => undefined);
    return next;
  }

  private async applyNewRecords(): Promise<void> {
    this.appliedRecords += await this.log.readNew({
      reset: () => {
        this.sortedIds.clear();
        this.partitions.clear();
        this.tenantById.clear();
        this.appliedRecords = 0;
        this.rekeyedPoints = 0;
      },
      record: (record) => this.apply(record),
    });
  }

  private apply(record: LogRecord): void {
    this.sortedIds.clear();
    if (record.op === 'upsert') {
      for (const logged of record.points) {
        const owner = this.tenantById.get(logged.id);
        if (owner !== undefined && owner !== logged.payload.tenant) this.partitions.get(owner)?.remove(logged.id);
        const { point, rekeyed } = fromLog(logged);
        if (rekeyed) this.rekeyedPoints += 1;
        this.partition(point.payload.tenant).put(point);
        this.tenantById.set(point.id, point.payload.tenant);
      }
      return;
    }
    const partition = this.partitions.get(record.tenant);
    if (!partition) return;
    const ids = record.op === 'delete' ? record.ids : partition.documentPointIds(record.documentId);
    for (const id of ids) {
      if (!partition.has(id)) continue;
      partition.remove(id);
      this.tenantById.delete(id);
    }
  }

  /** The ids of one tenant's points (or all) in order, kept until the next change so paging costs no sort per page. */
  private scrollOrder(tenant: string | undefined): string[] {
    const key = tenant === undefined ? '' : `t:${tenant}`;
    let ids = this.sortedIds.get(key);
    if (!ids) {
      ids = tenant === undefined ? [...this.tenantById.keys()] : [...this.tenantById].filter(([, owner]) => owner === tenant).map(([id]) => id);
      ids.sort();
      this.sortedIds.set(key, ids);
    }
    return ids;
  }

  private partition(tenant: string): TenantPartition {
    let partition = this.partitions.get(tenant);
    if (!partition) this.partitions.set(tenant, (partition = new TenantPartition(this.options.dimensions)));
    return partition;
  }

  private logIsMostlySuperseded(): boolean {
    const liveBatches = Math.ceil(this.tenantById.size / upsertBatch);
    return this.appliedRecords > (this.options.rewriteAfterRecords ?? 1000) && this.appliedRecords > liveBatches * 4;
  }

  private liveRecords(): LogRecord[] {
    const points = [...this.tenantById].map(([id, tenant]) => this.partitions.get(tenant)!.point(id)!);
    const records: LogRecord[] = [];
    for (let start = 0; start < points.length; start += upsertBatch) {
      records.push({ op: 'upsert', points: points.slice(start, start + upsertBatch).map(toLog) });
    }
    return records;
  }
}

function normalized(vector: readonly number[] | Float32Array): Float32Array {
  const result = Float32Array.from(vector);
  let norm = 0;
  for (const value of result) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let index = 0; index < result.length; index += 1) result[index] = result[index]! / norm;
  return result;
}

function toLog(point: StoredPoint): LoggedPoint {
  return {
    id: point.id,
    dense: base64(point.dense),
    sparseIndices: base64(Uint32Array.from(point.sparse.indices)),
    sparseValues: base64(Float32Array.from(point.sparse.values)),
    keywordVersion: keywordVectorVersion,
    payload: point.payload,
  };
}

/** A logged point; one logged with another keyword vector version is re-keyed from its text (rekeyed: true). */
function fromLog(point: LoggedPoint): { point: StoredPoint; rekeyed: boolean } {
  const rekeyed = point.keywordVersion !== keywordVectorVersion;
  const sparse = rekeyed
    ? chunkKeywordVector(point.payload)
    : { indices: [...new Uint32Array(bytes(point.sparseIndices))], values: [...new Float32Array(bytes(point.sparseValues))] };
  return { point: { id: point.id, dense: new Float32Array(bytes(point.dense)), sparse, payload: point.payload }, rekeyed };
}

function base64(array: Float32Array | Uint32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

function bytes(encoded: string): ArrayBuffer {
  const buffer = Buffer.from(encoded, 'base64');
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
