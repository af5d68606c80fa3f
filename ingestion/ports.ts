// Ports of the ingestion and retrieval domain. Adapters live in infra/embeddings and infra/vector-store;
// only composition roots (workers/, api/server) construct them.

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

/** What is stored with every chunk; enough to cite it without another lookup. */
export interface ChunkPayload {
  tenant: string;
  documentId: string;
  title: string;
  source: string;
  /** Ordinal of the chunk in its document, from 0. */
  position: number;
  headingPath: string[];
  text: string;
  contentHash: string;
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
