// What the ingestion activities are built from: ports (ingestion/ports.ts) and settings. The ingestion
// worker's composition root fills it with adapters; activities never see an adapter's type.
import type { ChunkingOptions } from '../../ingestion/chunk-document.js';
import type { DocumentProcessor, Embedder, IngestionStore, SourceReader, TenantIngestionLimits, VectorIndex } from '../../ingestion/ports.js';

export interface IngestionActivityDependencies {
  store: IngestionStore;
  index: VectorIndex;
  embedder: Embedder;
  reader: SourceReader;
  chunking: ChunkingOptions;
  processor: DocumentProcessor;
  /** Per-tenant processing slots and quotas. */
  tenantLimits: TenantIngestionLimits;
  /** INGESTION_MAX_CHUNKS: more chunks than this fail the document. */
  maxChunks: number;
  /** Texts per embedding request. */
  embedBatchSize: number;
  /** The vector store at a location (VectorIndex.location) in this worker's collection, for migrations; a malformed location fails with StoreLocationError. */
  openStore(location: string): Promise<VectorIndex>;
}

/** What an indexed version depends on besides its content: a change re-chunks and re-embeds the document. */
export function ingestionSettings(deps: Pick<IngestionActivityDependencies, 'embedder' | 'chunking'>): string {
  return `${deps.embedder.model}/${deps.embedder.dimensions} chunk ${deps.chunking.chunkSize}/${deps.chunking.chunkOverlap}`;
}
