// Builds the embedder and the vector index the configuration names. Called by composition roots only
// (the ingestion and chat workers, the benchmarks).
import type { Config } from '../config.js';
import type { Embedder, VectorIndex } from '../../ingestion/ports.js';
import { OpenAIEmbedder } from '../embeddings/openai-embedder.js';
import { collectionName } from '../vector-store/collection-name.js';
import { EmbeddedVectorIndex } from '../vector-store/embedded-vector-index.js';
import { QdrantVectorIndex } from '../vector-store/qdrant-vector-index.js';

export function createEmbedder(config: Config): OpenAIEmbedder {
  return new OpenAIEmbedder({
    baseUrl: config.EMBEDDINGS_BASE_URL,
    model: config.EMBEDDINGS_MODEL,
    dimensions: config.EMBEDDINGS_DIMENSIONS,
    batchSize: config.EMBEDDINGS_BATCH_SIZE,
    timeoutMs: config.EMBEDDINGS_TIMEOUT_MS,
    ...(config.EMBEDDINGS_API_KEY ? { apiKey: config.EMBEDDINGS_API_KEY } : {}),
  });
}

export function createVectorIndex(config: Config, embedder: Pick<Embedder, 'model' | 'dimensions'>): VectorIndex {
  const collection = collectionName(embedder);
  if (config.VECTOR_STORE === 'qdrant') {
    return new QdrantVectorIndex({ url: config.QDRANT_URL!, collection, dimensions: embedder.dimensions, ...(config.QDRANT_API_KEY ? { apiKey: config.QDRANT_API_KEY } : {}) });
  }
  return new EmbeddedVectorIndex({ directory: config.VECTOR_STORE_DIRECTORY, collection, dimensions: embedder.dimensions });
}
