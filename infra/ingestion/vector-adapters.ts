// Builds the embedder and the vector index the configuration names. Called by composition roots only
// (the ingestion and chat workers, the benchmarks).
import type { Config } from '../config.js';
import type { Embedder, VectorIndex } from '../../ingestion/ports.js';
import { OpenAIEmbedder } from '../embeddings/openai-embedder.js';
import { collectionName } from '../vector-store/collection-name.js';
import { EmbeddedVectorIndex } from '../vector-store/embedded-vector-index.js';
import { QdrantVectorIndex } from '../vector-store/qdrant-vector-index.js';
import { formatLocation, parseLocation, type VectorStoreAddress } from '../vector-store/store-location.js';

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
  return vectorIndexAt(configuredStore(config), config, embedder);
}

/** The store the configuration names (VECTOR_STORE and its directory or URL). */
export function configuredStore(config: Config): VectorStoreAddress {
  return config.VECTOR_STORE === 'qdrant' ? { kind: 'qdrant', url: config.QDRANT_URL! } : { kind: 'embedded', directory: config.VECTOR_STORE_DIRECTORY };
}

/** The index of the embedder's collection in the store at `address`; Qdrant's key comes from the configuration. */
export function vectorIndexAt(address: VectorStoreAddress, config: Config, embedder: Pick<Embedder, 'model' | 'dimensions'>): VectorIndex {
  const collection = collectionName(embedder);
  if (address.kind === 'qdrant') {
    return new QdrantVectorIndex({ url: address.url, collection, dimensions: embedder.dimensions, ...(config.QDRANT_API_KEY ? { apiKey: config.QDRANT_API_KEY } : {}) });
  }
  return new EmbeddedVectorIndex({ directory: address.directory, collection, dimensions: embedder.dimensions });
}

/**
 * Opens stores by location for migrations, each once: the worker's own index for its own location, others
 * built on first use (closed with `closeAll`). A malformed location throws StoreLocationError.
 */
export function vectorStoreOpener(config: Config, embedder: Pick<Embedder, 'model' | 'dimensions'>, current: VectorIndex) {
  const opened = new Map<string, VectorIndex>([[current.location, current]]);
  return {
    async open(location: string): Promise<VectorIndex> {
      const address = parseLocation(location);
      const canonical = formatLocation(address);
      let index = opened.get(canonical);
      if (!index) opened.set(canonical, (index = vectorIndexAt(address, config, embedder)));
      return index;
    },
    async closeAll(): Promise<void> {
      await Promise.all([...opened.values()].filter((index) => index !== current).map((index) => index.close()));
    },
  };
}
