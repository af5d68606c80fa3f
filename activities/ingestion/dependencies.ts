import type { Chunk, ChunkingOptions, ChunkSource } from '../../ingestion/chunk-document.js';
import type { DocumentInput, ParsedDocument } from '../../ingestion/parsed-document.js';
import type { Embedder, VectorIndex } from '../../ingestion/ports.js';
import type { IngestionStore } from '../../infra/ingestion/ingestion-store.js';
import type { SourceReader } from '../../infra/ingestion/source-reader.js';
import type { TenantIngestionLimits } from '../../infra/ingestion/tenant-ingestion-limits.js';

/** Parses and chunks untrusted documents away from the worker's event loop (infra/ingestion/parse-pool.ts). */
export interface DocumentProcessor {
  parse(input: DocumentInput, signal?: AbortSignal): Promise<ParsedDocument>;
  chunk(source: ChunkSource, options: ChunkingOptions, signal?: AbortSignal): Promise<Chunk[]>;
}

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
  /** The vector store at a location (VectorIndex.location) in this worker's collection, for migrations. */
  openStore(location: string): Promise<VectorIndex>;
}

/** What an indexed version depends on besides its content: a change re-chunks and re-embeds the document. */
export function ingestionSettings(deps: Pick<IngestionActivityDependencies, 'embedder' | 'chunking'>): string {
  return `${deps.embedder.model}/${deps.embedder.dimensions} chunk ${deps.chunking.chunkSize}/${deps.chunking.chunkOverlap}`;
}
