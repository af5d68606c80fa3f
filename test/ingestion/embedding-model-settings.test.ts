// Naming a local embedding model is enough: the config takes its vector size and the score-fusion weight chosen
// for it from infra/embeddings/embedding-models.json, and explicit settings still win.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import { retrieverOptions } from '../../infra/retrieval/create-retriever.js';

describe('embedding model settings', () => {
  it('takes all-mpnet-base-v2\'s dimensions and fusion weight from the catalogue', () => {
    const config = loadConfig({ EMBEDDINGS_MODEL: 'all-mpnet-base-v2' });
    expect(config.EMBEDDINGS_DIMENSIONS).toBe(768);
    expect(retrieverOptions(config).denseWeight).toBe(0.5);
  });

  it('keeps the test suites\' MiniLM at 384 dimensions and 0.4', () => {
    const config = loadConfig({});
    expect(config.EMBEDDINGS_MODEL).toBe('all-minilm-l6-v2-int8');
    expect(config.EMBEDDINGS_DIMENSIONS).toBe(384);
    expect(retrieverOptions(config).denseWeight).toBe(0.4);
  });

  it('lets explicit settings win, and leaves a model it does not know to them', () => {
    const explicit = loadConfig({ EMBEDDINGS_MODEL: 'all-mpnet-base-v2', EMBEDDINGS_DIMENSIONS: '512', RETRIEVAL_DENSE_WEIGHT: '0.7' });
    expect(explicit.EMBEDDINGS_DIMENSIONS).toBe(512);
    expect(retrieverOptions(explicit).denseWeight).toBe(0.7);
    const remote = loadConfig({ EMBEDDINGS_MODEL: 'text-embedding-3-small', EMBEDDINGS_DIMENSIONS: '1536' });
    expect(remote.EMBEDDINGS_DIMENSIONS).toBe(1536);
    expect(retrieverOptions(remote).denseWeight).toBeUndefined();
  });
});
