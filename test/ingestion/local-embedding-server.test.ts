import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEmbeddingServer, localEmbeddingModel } from '../../infra/embeddings/local-embedding-server.js';

// The real local model (installed from infra/python-requirements.txt). No skip: without it the
// local default cannot work, so the test fails and says what to install.
let server: LocalEmbeddingServer;

beforeAll(async () => {
  server = await LocalEmbeddingServer.start({ port: 18092 + Math.floor(Math.random() * 500), threads: 1 });
}, 60_000);
afterAll(() => server?.stop());

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

describe('local embedding model', () => {
  it('embeds passages and queries so that related texts are closest', async () => {
    const embedder = server.embedder();
    const passages = await embedder.embed([
      'The wing generates lift because air flows faster over its curved upper surface.',
      'Simmer the tomatoes with garlic and olive oil for twenty minutes.',
    ]);
    const query = await embedder.embedQuery('how do aircraft wings produce lift');
    expect(embedder.dimensions).toBe(localEmbeddingModel.dimensions);
    for (const vector of [...passages, query]) {
      expect(vector).toHaveLength(384);
      expect(cosine(vector, vector)).toBeCloseTo(1, 3);
    }
    expect(cosine(query, passages[0]!)).toBeGreaterThan(cosine(query, passages[1]!) + 0.05);
  }, 30_000);
});
