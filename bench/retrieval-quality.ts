// Retrieval quality on a Cranfield-format collection: recall@5 and nDCG@10 (document level) for Ragtime's
// own retrieval code (the embedded vector store and the chat path's VectorRetriever, with each local
// embedding model: the quickstart's default is the chat-path row) and for peers built from PyPI packages (bm25s; dense models fused with bm25s), with
// paired bootstrap 95% intervals of the differences, in one run. The product's retrieval parameters were
// chosen on the odd-numbered queries (1st, 3rd, …): the even-numbered half is held out and reported apart.
// Usage: npx tsx bench/retrieval-quality.ts [--no-peers] [--peer-models=all-MiniLM-L6-v2,all-mpnet-base-v2]
//        [--embedding-models=all-minilm-l6-v2-int8,all-mpnet-base-v2] [collection-directory]
// (default: the shared Cranfield copy, both peer models, the fp32 and MiniLM local models; the default one always)
// The peers need their own venv: bash bench/peers/setup.sh (without it only Ragtime's rows are printed).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkDocument, embeddingInput } from '../ingestion/chunk-document.js';
import { documentId } from '../ingestion/identifiers.js';
import { chunkKeywordVector, queryKeywordVector } from '../ingestion/keyword-vector.js';
import type { Embedder, IndexedPoint } from '../ingestion/ports.js';
import { loadConfig } from '../infra/config.js';
import { localEmbeddingModels } from '../infra/embeddings/embedding-catalogue.js';
import { LocalEmbeddingServer, localEmbeddingModel, localModel, quickstartEmbeddingModel } from '../infra/embeddings/local-embedding-server.js';
import { retrieverOptions } from '../infra/retrieval/create-retriever.js';
import { VectorRetriever, type VectorRetrieverOptions } from '../infra/retrieval/vector-retriever.js';
import { EmbeddedVectorIndex } from '../infra/vector-store/embedded-vector-index.js';
import { formatInterval, pairedBootstrap } from './lib/bootstrap.js';
import { loadCranfield } from './lib/cranfield.js';
import { mean, ndcgAt, recallAt } from './lib/metrics.js';
import { peersPython, runRetrievalPeers } from './lib/retrieval-peers.js';
import { printTable } from './lib/table.js';

const withPeers = !process.argv.includes('--no-peers');
const peerModels = process.argv.find((argument) => argument.startsWith('--peer-models='))?.slice('--peer-models='.length).split(',');
const embeddingModels = process.argv.find((argument) => argument.startsWith('--embedding-models='))?.slice('--embedding-models='.length).split(',');
const directory = process.argv.slice(2).find((argument) => !argument.startsWith('--')) ?? '/work/shared/datasets/cranfield';
const tenant = 'bench';
/** Ranked documents kept per query: more than the metrics look at. */
const depth = 100;

const collection = await loadCranfield(directory);
/** The defaults the ingestion worker and the chat worker run with. */
const config = loadConfig({});
// Each local embedding model gets its own index, its chat-path row (with its own fusion weight), dense only and a
// sweep of the fusion weight; the quickstart's model (what `./ragtime up` serves) is the default row and also gets
// BM25 and the candidates / RRF / expansion sweep.
const models = [...new Set([quickstartEmbeddingModel.model, ...(embeddingModels ?? [...localEmbeddingModels.keys()].filter((name) => !name.endsWith('-int8') || name === localEmbeddingModel.model))])];
const sourceOf = new Map<string, string>();
const chunks = (await Promise.all(collection.documents.map((document) => {
  const id = documentId(tenant, `cranfield/${document.id}`);
  sourceOf.set(id, document.id);
  return chunkDocument({ documentId: id, source: `cranfield/${document.id}`, document: { title: document.title, text: document.text || document.title, format: 'plain' } }, { chunkSize: config.CHUNK_SIZE, chunkOverlap: config.CHUNK_OVERLAP });
}))).flat();
const documents = (documentIds: readonly string[]) => [...new Set(documentIds.map((id) => sourceOf.get(id)!))];
const rankings = new Map<string, Map<string, string[]>>();
const embedSeconds = new Map<string, number>();
const chat = retrieverOptions(config);
const settings = (options: Pick<VectorRetrieverOptions, 'rerank' | 'candidates' | 'queryExpansion'>) => `${options.rerank ? 'score-fusion re-rank' : 'RRF'}, ${options.candidates} candidates${options.queryExpansion ? ', expansion' : ''}`;
const chatRow = `Ragtime chat path (defaults: ${quickstartEmbeddingModel.model}, ${settings(chat)}, ${quickstartEmbeddingModel.denseWeight} dense)`;
for (const model of models) {
  const server = await LocalEmbeddingServer.start({ model, port: 18500 + Math.floor(Math.random() * 100), startTimeoutMs: 180_000 });
  const dataDirectory = await mkdtemp(join(tmpdir(), 'ragtime-bench-'));
  try {
    const embedder = memoisedQueries(server.embedder({ batchSize: 32, timeoutMs: 3_600_000 }));
    const index = new EmbeddedVectorIndex({ directory: dataDirectory, collection: 'cranfield', dimensions: embedder.dimensions });
    console.log(`${collection.documents.length} documents → ${chunks.length} chunks, ${collection.queries.length} judged queries; embedding with ${embedder.model}…`);
    const embedStarted = performance.now();
    const vectors = await cachedEmbeddings(embedder, chunks.map(embeddingInput));
    embedSeconds.set(model, (performance.now() - embedStarted) / 1000);
    const points: IndexedPoint[] = chunks.map((chunk, position) => ({
      id: chunk.id,
      dense: vectors[position]!,
      sparse: chunkKeywordVector(chunk),
      payload: { tenant, documentId: chunk.documentId, title: chunk.title, source: chunk.source, position: chunk.position, headingPath: chunk.headingPath, text: chunk.text, contentHash: chunk.contentHash },
    }));
    await index.upsert(points);

    const single = (mode: 'dense' | 'keyword') => async (text: string) =>
      documents((await index.query({ tenant, dense: await embedder.embedQuery(text), sparse: queryKeywordVector(text), limit: depth, mode })).map((hit) => hit.payload.documentId));
    // The chat path's retriever, with the citation count and token budget lifted so the whole ranking is seen.
    // Its settings are the config's for this EMBEDDINGS_MODEL, which brings the model's own fusion weight.
    const modelSettings = retrieverOptions(loadConfig({ EMBEDDINGS_MODEL: model }));
    const retriever = (options: Partial<VectorRetrieverOptions>) => {
      const instance = new VectorRetriever(index, embedder, { ...modelSettings, ...options, topK: depth, tokenBudget: Number.MAX_SAFE_INTEGER, timeoutMs: 60_000 });
      return async (text: string) => documents((await instance.search(tenant, text, {})).map((citation) => citation.documentId));
    };
    type Row = [string, (text: string) => Promise<string[]>];
    const isDefault = model === quickstartEmbeddingModel.model;
    const ours: Row[] = [
      [isDefault ? chatRow : `Ragtime with ${model} (chat path settings: ${settings(chat)}, ${localModel(model).denseWeight} dense)`, retriever({})],
      [`Ragtime dense only (${model})`, single('dense')],
      // Each model's fusion weight is chosen on the odd half: a stronger dense side may deserve more.
      ...[0.3, 0.4, 0.5, 0.6, 0.7].filter((weight) => weight !== localModel(model).denseWeight).map((denseWeight): Row => [`Ragtime with ${model}, score fusion ${denseWeight} dense`, retriever({ denseWeight })]),
      ...(isDefault ? [
        ['Ragtime BM25', single('keyword')] as Row,
        ...[20, 50, 100].map((candidates): Row => [`Ragtime hybrid RRF, ${candidates} candidates`, retriever({ rerank: false, candidates, queryExpansion: false })]),
        ...[20, 50].map((candidates): Row => [`Ragtime hybrid score fusion, ${candidates} candidates`, retriever({ rerank: true, candidates, queryExpansion: false })]),
        ['Ragtime hybrid RRF, 20 candidates, expansion', retriever({ rerank: false, candidates: 20, queryExpansion: true })] as Row,
      ] : [[`Ragtime with ${model}, RRF, ${chat.candidates} candidates`, retriever({ rerank: false })] as Row]),
    ];
    for (const [name, search] of ours) {
      const perQuery = new Map<string, string[]>();
      for (const query of collection.queries) perQuery.set(query.id, await search(query.text));
      rankings.set(name, perQuery);
    }
  } finally {
    await server.stop();
    await rm(dataDirectory, { recursive: true, force: true });
  }
}

const peers = withPeers ? await runRetrievalPeers({
  documents: collection.documents.map((document) => ({ id: document.id, text: `${document.title}\n\n${document.text}` })),
  queries: collection.queries.map(({ id, text }) => ({ id, text })),
  depth,
  ...(peerModels ? { models: peerModels } : {}),
}) : undefined;
for (const [name, perQuery] of Object.entries(peers?.systems ?? {})) rankings.set(`peer: ${name}`, new Map(Object.entries(perQuery)));

const scores = new Map([...rankings].map(([name, perQuery]) => {
  const recall: number[] = [];
  const ndcg: number[] = [];
  for (const query of collection.queries) {
    const gains = collection.judgements.get(query.id)!;
    recall.push(recallAt(5, perQuery.get(query.id) ?? [], gains));
    ndcg.push(ndcgAt(10, perQuery.get(query.id) ?? [], gains));
  }
  return [name, { recall, ndcg }];
}));

console.log(`\nRetrieval quality on ${directory} (document level, ${collection.queries.length} queries, gains 4…1 for grades 1…4; embedding took ${[...embedSeconds].map(([model, seconds]) => `${seconds.toFixed(1)} s with ${model}`).join(', ')}, cached after the first run)`);
if (peers) console.log(`peers' time (s): ${Object.entries(peers.seconds).map(([name, seconds]) => `${name} ${seconds.toFixed(1)}`).join(', ')}`);
else console.log(withPeers ? `peers not run: ${peersPython} is missing (bash bench/peers/setup.sh)` : 'peers not run (--no-peers)');
const peerNames = [...scores.keys()].filter((name) => name.startsWith('peer: '));
const bestPeer = peerNames.sort((left, right) => mean(scores.get(right)!.ndcg) - mean(scores.get(left)!.ndcg))[0];
const half = (values: readonly number[], parity: 0 | 1) => values.filter((_, position) => position % 2 === parity);
const against = (name: string, other: string | undefined, metric: 'ndcg' | 'recall', parity?: 0 | 1) => {
  if (!other || other === name) return '';
  const [ours, theirs] = [scores.get(name)![metric], scores.get(other)![metric]];
  return formatInterval(parity === undefined ? pairedBootstrap(ours, theirs) : pairedBootstrap(half(ours, parity), half(theirs, parity)));
};
console.log(`\nΔ columns: this row minus ${bestPeer ?? 'the best peer (none run)'} (the peer with the best nDCG@10), mean [95% paired bootstrap interval]`);
console.log('odd: the queries numbered 1, 3, 5, … (parameters were chosen on these); even: 2, 4, 6, … (held out)\n');
printTable([
  ['system', 'recall@5', 'nDCG@10', 'nDCG@10 odd', 'nDCG@10 even', 'Δ recall@5 vs best peer', 'Δ nDCG@10 vs best peer', 'Δ nDCG@10 even'],
  ...[...scores].map(([name, { recall, ndcg }]) => [name, mean(recall), mean(ndcg), mean(half(ndcg, 0)), mean(half(ndcg, 1)), against(name, bestPeer, 'recall'), against(name, bestPeer, 'ndcg'), against(name, bestPeer, 'ndcg', 1)]),
]);
if (scores.has('peer: bm25s')) {
  console.log(`\nRagtime BM25 − bm25s: nDCG@10 ${against('Ragtime BM25', 'peer: bm25s', 'ndcg')}, recall@5 ${against('Ragtime BM25', 'peer: bm25s', 'recall')}`);
}

/** Chunk vectors are kept under .data/bench-cache by model and texts, so a second run skips the embedding. */
async function cachedEmbeddings(embedder: Embedder, texts: string[]): Promise<number[][]> {
  const key = createHash('sha256').update(`${embedder.model}\0${texts.join('\0')}`).digest('hex').slice(0, 16);
  const path = join(import.meta.dirname, '../.data/bench-cache', `${embedder.model}-${key}.json`);
  const cached = await readFile(path, 'utf8').then((text) => JSON.parse(text) as number[][], () => undefined);
  if (cached) return cached;
  const vectors = await embedder.embed(texts);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(vectors));
  return vectors;
}

/** The same query is embedded once for all the rows. */
function memoisedQueries(embedder: Embedder): Embedder {
  const cache = new Map<string, Promise<number[]>>();
  return {
    model: embedder.model,
    dimensions: embedder.dimensions,
    embed: (texts, signal) => embedder.embed(texts, signal),
    embedQuery: (query, signal) => {
      if (!cache.has(query)) cache.set(query, embedder.embedQuery(query, signal));
      return cache.get(query)!;
    },
  };
}
