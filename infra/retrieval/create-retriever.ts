// The retriever the configuration describes: the configured embedder and vector index behind VectorRetriever.
import type { Config } from '../config.js';
import { createEmbedder, createVectorIndex } from '../ingestion/vector-adapters.js';
import { VectorRetriever, type VectorRetrieverOptions } from './vector-retriever.js';

export function createVectorRetriever(config: Config): VectorRetriever {
  const embedder = createEmbedder(config);
  return new VectorRetriever(createVectorIndex(config, embedder), embedder, retrieverOptions(config));
}

/** The chat path's retrieval settings (bench/retrieval-quality.ts measures exactly these). */
export function retrieverOptions(config: Config): VectorRetrieverOptions {
  return {
    topK: config.RETRIEVAL_TOP_K,
    candidates: config.RETRIEVAL_CANDIDATES,
    tokenBudget: config.RETRIEVAL_TOKEN_BUDGET,
    timeoutMs: config.RETRIEVAL_TIMEOUT_MS,
    rerank: config.RETRIEVAL_RERANK,
    queryExpansion: config.RETRIEVAL_QUERY_EXPANSION,
    ...(config.RETRIEVAL_DENSE_WEIGHT === undefined ? {} : { denseWeight: config.RETRIEVAL_DENSE_WEIGHT }),
  };
}
