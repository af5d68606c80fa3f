import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddingError } from '../../ingestion/ingestion-errors.js';
import { OpenAIEmbedder } from '../../infra/embeddings/openai-embedder.js';

// A protocol-faithful stand-in for an OpenAI-compatible server: it answers /v1/embeddings with one
// vector per input (derived from the input's length), in shuffled order, as the protocol allows.
interface Reply { status: number; body?: unknown; delayMs?: number }
let server: Server;
let baseUrl: string;
let requests: Record<string, unknown>[];
let nextReply: Reply | undefined;

const vectorFor = (text: string) => [text.length, 1, 0];

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => void answer(request, response).catch((error: unknown) => response.destroy(error as Error)));
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.parse(Buffer.concat(await request.toArray()).toString()) as { input: string[] };
    requests.push({ ...body, authorization: request.headers.authorization });
    const reply = nextReply ?? { status: 200, body: { object: 'list', data: body.input.map((text, index) => ({ object: 'embedding', index, embedding: vectorFor(text) })).reverse() } };
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (response.destroyed) return;
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body ?? { error: { message: 'nope' } }));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => { requests = []; nextReply = undefined; });

const embedder = (options: Partial<ConstructorParameters<typeof OpenAIEmbedder>[0]> = {}) =>
  new OpenAIEmbedder({ baseUrl, model: 'test-model', dimensions: 3, batchSize: 2, ...options });

describe('OpenAIEmbedder', () => {
  it('batches inputs and returns vectors in input order', async () => {
    const vectors = await embedder({ apiKey: 'secret' }).embed(['a', 'bb', 'ccc', 'dddd', 'eeeee']);
    expect(vectors).toEqual(['a', 'bb', 'ccc', 'dddd', 'eeeee'].map(vectorFor));
    expect(requests.map((request) => request.input)).toEqual([['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
    expect(requests[0]).toMatchObject({ model: 'test-model', encoding_format: 'float', authorization: 'Bearer secret' });
    expect(requests[0]).not.toHaveProperty('input_type');
  });

  it('tells asymmetric models queries from documents', async () => {
    await embedder({ inputKind: 'input-type' }).embedQuery('q');
    await embedder({ inputKind: 'input-type' }).embed(['d']);
    await embedder({ inputKind: 'prefix', queryPrefix: 'query: ', documentPrefix: 'passage: ' }).embedQuery('q');
    await embedder({ inputKind: 'prefix', queryPrefix: 'query: ', documentPrefix: 'passage: ' }).embed(['d']);
    expect(requests.map((request) => [request.input_type, request.input])).toEqual([
      ['query', ['q']], ['document', ['d']], [undefined, ['query: q']], [undefined, ['passage: d']],
    ]);
  });

  it.each([
    [429, true], [503, true], [500, true], [400, false], [401, false], [404, false],
  ])('marks HTTP %i as retryable=%s', async (status, retryable) => {
    nextReply = { status };
    await expect(embedder().embed(['x'])).rejects.toMatchObject({ name: 'EmbeddingError', status, retryable });
  });

  it('refuses vectors of the wrong size or count without retrying', async () => {
    nextReply = { status: 200, body: { data: [{ index: 0, embedding: [1, 2] }] } };
    await expect(embedder().embed(['x'])).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('2 dimensions') });
    nextReply = { status: 200, body: { data: [] } };
    await expect(embedder().embed(['x'])).rejects.toMatchObject({ retryable: false });
  });

  it('times out as a retryable error and lets the caller abort', async () => {
    nextReply = { status: 200, delayMs: 300, body: { data: [{ index: 0, embedding: [1, 1, 1] }] } };
    const timedOut = await embedder({ timeoutMs: 50 }).embed(['x']).catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(EmbeddingError);
    expect(timedOut).toMatchObject({ retryable: true, message: expect.stringContaining('timed out') });
    const controller = new AbortController();
    const aborted = embedder().embed(['x'], controller.signal);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reports an unreachable server as retryable', async () => {
    await expect(new OpenAIEmbedder({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', dimensions: 3 }).embed(['x']))
      .rejects.toMatchObject({ retryable: true });
  });
});
