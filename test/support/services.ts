import { inject } from 'vitest';
import { loadConfig, type Config } from '../../infra/config.js';

export interface TestServices {
  temporalAddress: string;
  temporalBinary: string;
  modelBaseUrl: string;
  modelServerUrl: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  chatBundlePath: string;
  ingestionBundlePath: string;
  /** The local embedding model's OpenAI-compatible /v1. */
  embeddingsBaseUrl: string;
  /** The embedded vector store's directory for this run (a suite may use its own). */
  vectorDirectory: string;
  /** The vector store the suites' workers and APIs use: Qdrant when the run has QDRANT_URL, else the embedded one. */
  vectorStore: TestVectorStore;
}

export type TestVectorStore = { VECTOR_STORE: 'embedded' } | { VECTOR_STORE: 'qdrant'; QDRANT_URL: string };

export function services(): TestServices {
  return inject('services');
}

/** Configuration pointing at the test services, as a process would load it from its environment. */
export function testEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  const running = services();
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: running.temporalAddress,
    DATABASE_URL: running.databaseUrl,
    REDIS_URL: running.redisUrl,
    REDIS_KEY_PREFIX: running.redisKeyPrefix,
    LLM_BASE_URL: running.modelBaseUrl,
    // The suites' model server serves SmolLM2 (test/global-setup.ts), not the stack's default model.
    LLM_MODEL: 'smollm2-135m-instruct',
    EMBEDDINGS_BASE_URL: running.embeddingsBaseUrl,
    VECTOR_STORE_DIRECTORY: running.vectorDirectory,
    ...running.vectorStore,
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(testEnvironment(overrides));
}
