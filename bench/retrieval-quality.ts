// Retrieval quality on a Cranfield-format collection: recall@5 and nDCG@10 for dense only, keyword only,
// hybrid (RRF) and hybrid + re-rank, with the local embedding model and the embedded vector store.
// Usage: npx tsx bench/retrieval-quality.ts [collection-directory] (default: the shared Cranfield copy)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkDocument, defaultChunking, embeddingInput } from '../ingestion/chunk-document.js';
import { documentId } from '../ingestion/identifiers.js';
import { passageKeywordVector, queryKeywordVector } from '../ingestion/keyword-vector.js';
import type { HybridQuery, IndexedPoint, SearchHit } from '../ingestion/ports.js';
import { LocalEmbeddingServer } from '../infra/embeddings/local-embedding-server.js';
import { EmbeddedVectorIndex } from '../infra/vector-store/embedded-vector-index.js';
import { loadCranfield } from './lib/cranfield.js';
import { mean, ndcgAt, recallAt } from './lib/metrics.js';
import { scoreFusionRerank } from './lib/score-fusion-reranker.js';
import { printTable } from './lib/table.js';

const directory = process.argv[2] ?? '/work/shared/datasets/cranfield';
const tenant = 'bench';
const chunkCandidates = 50;

const collection = await loadCranfield(directory);
const server = await LocalEmbeddingServer.start({ port: 18600 + Math.floor(Math.random() * 300) });
const dataDirectory = await mkdtemp(join(tmpdir(), 'ragtime-bench-'));
try {
  const embedder = server.embedder({ batchSize: 32, timeoutMs: 300_000 });
  const index = new EmbeddedVectorIndex({ directory: dataDirectory, collection: 'cranfield', dimensions: embedder.dimensions });
  const sourceOf = new Map<string, string>();
  const chunks = (await Promise.all(collection.documents.map((document) => {
    const id = documentId(tenant, `cranfield/${document.id}`);
    sourceOf.set(id, document.id);
    return chunkDocument({ documentId: id, source: `cranfield/${document.id}`, document: { title: document.title, text: document.text || document.title, format: 'plain' } }, defaultChunking);
  }))).flat();

  console.log(`${collection.documents.length} documents → ${chunks.length} chunks, ${collection.queries.length} judged queries; embedding with ${embedder.model}…`);
  const embedStarted = performance.now();
  const vectors = await embedder.embed(chunks.map(embeddingInput));
  const embedSeconds = (performance.now() - embedStarted) / 1000;
  const points: IndexedPoint[] = chunks.map((chunk, position) => ({
    id: chunk.id,
    dense: vectors[position]!,
    sparse: passageKeywordVector(embeddingInput(chunk)),
    payload: { tenant, documentId: chunk.documentId, title: chunk.title, source: chunk.source, position: chunk.position, headingPath: chunk.headingPath, text: chunk.text, contentHash: chunk.contentHash },
  }));
  await index.upsert(points);

  const documentRanking = (hits: SearchHit[]) => [...new Set(hits.map((hit) => sourceOf.get(hit.payload.documentId)!))];
  const strategies: [string, (query: HybridQuery) => Promise<SearchHit[]>][] = [
    ['dense only', (query) => index.query({ ...query, mode: 'dense' })],
    ['keyword only (BM25)', (query) => index.query({ ...query, mode: 'keyword' })],
    ['hybrid (RRF)', (query) => index.query({ ...query, mode: 'hybrid' })],
    ['hybrid + re-rank (score fusion)', (query) => scoreFusionRerank(index, query, chunkCandidates)],
  ];
  const results = new Map(strategies.map(([name]) => [name, { recall: [] as number[], ndcg: [] as number[] }]));
  for (const query of collection.queries) {
    const gains = collection.judgements.get(query.id)!;
    const hybridQuery: HybridQuery = { tenant, dense: await embedder.embedQuery(query.text), sparse: queryKeywordVector(query.text), limit: chunkCandidates, candidates: chunkCandidates };
    for (const [name, search] of strategies) {
      const ranking = documentRanking(await search(hybridQuery));
      results.get(name)!.recall.push(recallAt(5, ranking, gains));
      results.get(name)!.ndcg.push(ndcgAt(10, ranking, gains));
    }
  }

  console.log(`\nRetrieval quality on ${directory} (document level, ${collection.queries.length} queries; embedding took ${embedSeconds.toFixed(1)} s, ${(chunks.length / embedSeconds).toFixed(1)} chunks/s)\n`);
  const denseNdcg = mean(results.get('dense only')!.ndcg);
  printTable([
    ['strategy', 'recall@5', 'nDCG@10', 'nDCG@10 vs dense'],
    ...[...results].map(([name, { recall, ndcg }]) => [name, mean(recall), mean(ndcg), `${(mean(ndcg) / denseNdcg).toFixed(2)}x`]),
  ]);
} finally {
  await server.stop();
  await rm(dataDirectory, { recursive: true, force: true });
}
