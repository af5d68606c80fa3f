import type { ChunkingOptions } from '../../ingestion/chunk-document.js';
import type { Embedder, VectorIndex } from '../../ingestion/ports.js';
import type { IngestionStore } from '../../infra/ingestion/ingestion-store.js';
import type { SourceReader } from '../../infra/ingestion/source-reader.js';

export interface IngestionActivityDependencies {
  store: IngestionStore;
  index: VectorIndex;
  embedder: Embedder;
  reader: SourceReader;
  chunking: ChunkingOptions;
  /** Texts per embedding request. */
  embedBatchSize: number;
  /** The vector store at a location (VectorIndex.location) in this worker's collection, for migrations. */
  openStore(location: string): Promise<VectorIndex>;
}

/** What an indexed version depends on besides its content: a change re-chunks and re-embeds the document. */
export function ingestionSettings(deps: Pick<IngestionActivityDependencies, 'embedder' | 'chunking'>): string {
  return `${deps.embedder.model}/${deps.embedder.dimensions} chunk ${deps.chunking.chunkSize}/${deps.chunking.chunkOverlap}`;
}
