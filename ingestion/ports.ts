// Ports of the ingestion and retrieval domain: what the ingestion activities (and retrieval) need from the
// outside world, typed here beside the domain so activities never import an adapter. Adapters live in
// infra/ingestion, infra/embeddings and infra/vector-store; only composition roots (workers/, api/server)
// construct them. Failures are the errors of ingestion-errors.ts (and DocumentError), each with its code.
import type { Chunk, ChunkingOptions, ChunkSource } from './chunk-document.js';
import type { DocumentAction, JobSource } from './ingestion-job.js';
import type { DocumentInput, ParsedDocument } from './parsed-document.js';

/** Turns text into dense vectors. Adapters never retry on their own: Temporal is the retry layer. */
export interface Embedder {
  /** Model name, also used to name the vector collection (one collection per embedding model). */
  readonly model: string;
  readonly dimensions: number;
  /** Embeds passages (chunks) for indexing, one vector per text, in order. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
  /** Embeds a search query; asymmetric models (e5, bge) encode queries differently from passages. */
  embedQuery(query: string, signal?: AbortSignal): Promise<number[]>;
}

/** A sparse keyword vector: parallel arrays of term indices (unique, ascending) and weights. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

/**
 * What is stored with every chunk, enough to cite it without another lookup: the chunk (ingestion/chunk-document.ts)
 * with its tenant, less its point id (the point's own) and its offsets in the parsed text.
 */
export interface ChunkPayload extends Omit<Chunk, 'id' | 'start' | 'end'> {
  tenant: string;
}

export interface IndexedPoint {
  /** A UUID derived from document id + chunk content hash, so re-ingestion overwrites instead of duplicating. */
  id: string;
  dense: number[];
  sparse: SparseVector;
  payload: ChunkPayload;
}

export type RetrievalMode = 'hybrid' | 'dense' | 'keyword';

export interface HybridQuery {
  /** Always applied: a query never sees another tenant's points. */
  tenant: string;
  dense: number[];
  sparse: SparseVector;
  limit: number;
  /** Candidates taken from each of the dense and keyword lists before fusion; defaults to max(limit * 4, 20). */
  candidates?: number;
  /** 'hybrid' (default) fuses dense and keyword results with reciprocal rank fusion. */
  mode?: RetrievalMode;
}

export interface SearchHit {
  id: string;
  score: number;
  payload: ChunkPayload;
}

/** One page of points in the store's own order; `next` starts the following page and is absent after the last. */
export interface PointPage {
  points: IndexedPoint[];
  next?: string;
}

export interface VectorIndex {
  /**
   * Where the points are written: the kind of store and its address (`embedded:/abs/dir`, `qdrant:http://host:6333`),
   * without credentials. What ingestion records as written is keyed by it and the collection.
   */
  readonly location: string;
  /** Creates the collection and its indexes if missing; safe to call repeatedly and concurrently. */
  ensureCollection(): Promise<void>;
  /** Inserts or replaces points by id. */
  upsert(points: readonly IndexedPoint[]): Promise<void>;
  deletePoints(tenant: string, ids: readonly string[]): Promise<void>;
  deleteDocument(tenant: string, documentId: string): Promise<void>;
  listDocumentPointIds(tenant: string, documentId: string): Promise<string[]>;
  query(query: HybridQuery): Promise<SearchHit[]>;
  /**
   * Reads points with their vectors and payload, one tenant's or all, a page at a time: `from` is the `next` of
   * the previous page (an opaque cursor). For copying a store; points written meanwhile may or may not appear.
   */
  scroll(request: { tenant?: string; from?: string; limit: number }): Promise<PointPage>;
  /** Number of points, of one tenant when given. */
  count(tenant?: string): Promise<number>;
  close(): Promise<void>;
}

/** Reciprocal rank fusion constant used by both adapters (Qdrant's default). */
export const reciprocalRankFusionK = 60;

export function defaultCandidates(limit: number): number {
  return Math.max(limit * 4, 20);
}

/** Reads ingestion sources: local files and folders, and http(s) URLs. Fails with SourceError. */
export interface SourceReader {
  /** The files a source stands for: a URL or a file itself, a folder's files (recursively, no dot files) in path order. */
  list(source: string): Promise<{ kind: 'url' | 'file' | 'folder'; files: string[] }>;
  read(source: string, signal?: AbortSignal): Promise<{ bytes: Uint8Array; contentType?: string }>;
}

/** Parses and chunks untrusted documents away from the worker's event loop; bad input fails with DocumentError. */
export interface DocumentProcessor {
  parse(input: DocumentInput, signal?: AbortSignal): Promise<ParsedDocument>;
  chunk(source: ChunkSource, options: ChunkingOptions, signal?: AbortSignal): Promise<Chunk[]>;
}

export type QuotaCharge = Partial<Record<'documents' | 'bytes' | 'tokens', number>>;

/** What one tenant may have ingested: documents in process at once (slots) and quotas per period. */
export interface TenantIngestionLimits {
  /** Takes a processing slot for `holder` (idempotent); false when the tenant has all its slots in use. */
  claimSlot(tenantId: string, holder: string): Promise<boolean>;
  releaseSlot(tenantId: string, holder: string): Promise<void>;
  /**
   * Adds `charge` to this period's usage, all or nothing, once per `key`: a retried activity presenting the same
   * key is not charged again. Refuses with QuotaExceededError when the charge does not fit.
   */
  charge(tenantId: string, key: string, charge: QuotaCharge): Promise<void>;
}

export interface DocumentKey {
  tenantId: string;
  documentId: string;
}

export interface CatalogEntry {
  source: string;
  contentHash: string | null;
  settings: string | null;
  status: 'indexed' | 'failed';
  chunkCount: number;
}

/** A document as the catalog lists it for its tenant. */
export interface CatalogDocument {
  documentId: string;
  source: string;
  title: string | null;
  status: 'indexed' | 'failed';
  reason: string | null;
  chunkCount: number;
  updatedAt: string;
}

/** A document version as written to one vector store's collection. */
export interface WrittenVersion {
  contentHash: string;
  settings: string;
  chunkCount: number;
}

export interface StagedChunk {
  pointId: string;
  position: number;
  payload: ChunkPayload;
}

export interface ChunkPlan {
  chunks: number;
  /** Chunks without a vector yet. */
  toEmbed: number;
  /** Chunks to write to the vector store (new, changed or moved). */
  toUpsert: number;
  stale: number;
}

/**
 * Where ingestion keeps what passes between its steps: staged document versions (bytes, then parsed text),
 * each document's chunks with their state and vector, the catalog of indexed documents, what each vector store
 * holds, and the sources of every job. Activities keep content here and pass only ids between them.
 */
export interface IngestionStore {
  catalogEntry(key: DocumentKey): Promise<CatalogEntry | undefined>;
  /**
   * Indexed or failed documents whose source lies inside a folder, and documents the current vector store still
   * holds there (removed while ingestion wrote to another store).
   */
  documentsUnder(tenantId: string, folder: string): Promise<{ documentId: string; source: string }[]>;
  /** What is indexed (or failed) for a tenant, most recently changed first. */
  documents(tenantId: string, limit: number): Promise<CatalogDocument[]>;
  stageBlob(key: DocumentKey, contentHash: string, bytes: Uint8Array, contentType: string | undefined): Promise<void>;
  blob(key: DocumentKey, contentHash: string): Promise<{ bytes: Uint8Array; contentType?: string } | undefined>;
  storeParsed(key: DocumentKey, contentHash: string, document: ParsedDocument): Promise<void>;
  parsed(key: DocumentKey, contentHash: string): Promise<ParsedDocument | undefined>;
  /**
   * Makes `chunks` the document's chunk set. A chunk already indexed at the same position stays as it is;
   * one that moved becomes pending but keeps its vector; new ones are pending without a vector; chunks no
   * longer in the set become stale.
   */
  replaceChunks(key: DocumentKey, chunks: readonly StagedChunk[]): Promise<ChunkPlan>;
  /** The next pending chunks without a vector, in document order. */
  chunksToEmbed(key: DocumentKey, limit: number): Promise<StagedChunk[]>;
  storeEmbeddings(key: DocumentKey, pointIds: readonly string[], vectors: readonly number[][]): Promise<void>;
  /** The next pending chunks that have their vector. */
  chunksToUpsert(key: DocumentKey, limit: number): Promise<(StagedChunk & { embedding: number[] })[]>;
  markIndexed(key: DocumentKey, pointIds: readonly string[]): Promise<void>;
  staleChunkIds(key: DocumentKey): Promise<string[]>;
  liveChunkIds(key: DocumentKey): Promise<Set<string>>;
  dropChunks(key: DocumentKey, pointIds: readonly string[]): Promise<void>;
  /** Records the indexed version and drops its staged bytes. */
  markDocumentIndexed(key: DocumentKey, entry: { source: string; title: string; contentHash: string; settings: string; chunkCount: number; jobId: string }): Promise<void>;
  /** Records why a document failed; what was indexed of an earlier version stays searchable. */
  markDocumentFailed(key: DocumentKey, entry: { source: string; reason: string; jobId: string }): Promise<void>;
  /** The version of the document the current vector store holds, as recorded when it was written. */
  writtenVersion(key: DocumentKey): Promise<WrittenVersion | undefined>;
  /** Records that the current vector store holds this version of the document. */
  recordWritten(key: DocumentKey, entry: WrittenVersion & { source: string }): Promise<void>;
  /** Records store `to` as holding what store `from` is recorded as holding (one tenant's or all); returns how many documents. */
  copyWritten(from: string, to: string, tenantId?: string): Promise<number>;
  /**
   * Makes every indexed chunk of the document pending again (keeping its vector), for a vector store whose copy
   * of the document is missing or another version: the next upsert writes them all, with no embedding.
   */
  requeueChunks(key: DocumentKey): Promise<void>;
  /** Forgets the document: its chunks, catalog entry and staged bytes, and that the current vector store holds it. */
  forgetDocument(key: DocumentKey): Promise<void>;
  /** Stores a job's expanded sources (replacing any from an earlier attempt). */
  storeJobSources(jobId: string, sources: readonly { source: string; documentId: string; action: DocumentAction }[]): Promise<void>;
  jobSources(jobId: string, offset: number, limit: number): Promise<JobSource[]>;
}
