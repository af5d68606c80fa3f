import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { LocalEmbeddingServer, localEmbeddingPython, localEmbeddingServerScript, localModel } from '../../infra/embeddings/local-embedding-server.js';

// all-mpnet-base-v2 as the ONNX graph scripts/setup.sh builds from its PyPI parts (no PyTorch), against what
// sentence-transformers with PyTorch computes from the same parts (test/fixtures/embeddings, made by the script
// beside the fixture). No skip: without the built model `EMBEDDINGS_MODEL=all-mpnet-base-v2` cannot work.
const fixture = JSON.parse(await readFile(new URL('../fixtures/embeddings/all-mpnet-base-v2-reference.json', import.meta.url), 'utf8')) as {
  model: string; texts: string[]; token_ids: number[][]; embeddings: number[][];
};
const model = localModel(fixture.model);
let server: LocalEmbeddingServer;

beforeAll(async () => {
  server = await LocalEmbeddingServer.start({ model: model.model, port: await freePort(), threads: 2, startTimeoutMs: 120_000 });
}, 150_000);
afterAll(() => server?.stop());

const cosine = (a: readonly number[], b: readonly number[]) => {
  const dot = (x: readonly number[], y: readonly number[]) => x.reduce((sum, value, index) => sum + value * y[index]!, 0);
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
};

describe('all-mpnet-base-v2 (ONNX, fp32) against sentence-transformers', () => {
  it('tokenizes as the reference does, truncating at 384 tokens', async () => {
    const child = spawn(localEmbeddingPython(), [localEmbeddingServerScript, '--model', model.model, '--tokenize'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (data: Buffer) => output.push(data));
    child.stdin.end(JSON.stringify(fixture.texts));
    expect((await once(child, 'exit'))[0]).toBe(0);
    const ids = JSON.parse(Buffer.concat(output).toString('utf8')) as number[][];
    expect(ids).toEqual(fixture.token_ids);
    expect(ids.at(-1)).toHaveLength(384);
  }, 60_000);

  it('embeds each text within cosine 0.999 of the reference, with the reference\'s nearest neighbours', async () => {
    const vectors = await server.embedder({ timeoutMs: 60_000 }).embed(fixture.texts);
    expect(vectors.map((vector) => vector.length)).toEqual(fixture.texts.map(() => 768));
    for (const [index, vector] of vectors.entries()) expect(cosine(vector, fixture.embeddings[index]!)).toBeGreaterThanOrEqual(0.999);
    // A wrong graph can keep vectors near each other and still reorder them: the similarities must agree too.
    for (const [index, vector] of vectors.entries()) {
      for (const [other, reference] of fixture.embeddings.entries()) expect(cosine(vector, vectors[other]!)).toBeCloseTo(cosine(fixture.embeddings[index]!, reference), 3);
    }
  }, 90_000);
});
