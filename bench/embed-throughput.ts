// Raw throughput of the local embedding models over /v1/embeddings by request batch size, on Cranfield passages, and
// the latency of one query (what a chat turn pays before retrieval), side by side per model.
// Usage: npx tsx bench/embed-throughput.ts [--models=all-minilm-l6-v2-int8,all-mpnet-base-v2,…] [--batch-sizes=1,8,32]
//        [--queries=50] [collection-dir] [texts]   (default: every model of infra/embeddings/embedding-models.json)
import { embeddingInput, chunkDocument, defaultChunking } from '../ingestion/chunk-document.js';
import { localEmbeddingModels } from '../infra/embeddings/embedding-catalogue.js';
import { LocalEmbeddingServer } from '../infra/embeddings/local-embedding-server.js';
import { loadCranfield } from './lib/cranfield.js';
import { printTable } from './lib/table.js';

const option = (name: string) => process.argv.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3);
const positional = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const directory = positional[0] ?? '/work/shared/datasets/cranfield';
const textCount = Number(positional[1] ?? 128);
const models = option('models')?.split(',') ?? [...localEmbeddingModels.keys()];
const batchSizes = (option('batch-sizes') ?? '1,4,8,16,32,64').split(',').map(Number);
const queryCount = Number(option('queries') ?? 50);

const { documents, queries } = await loadCranfield(directory);
const texts: string[] = [];
for (const document of documents) {
  if (texts.length >= textCount) break;
  const chunks = await chunkDocument({ documentId: document.id, source: document.id, document: { title: document.title, text: document.text || document.title, format: 'plain' } }, defaultChunking);
  texts.push(...chunks.map(embeddingInput));
}
texts.length = Math.min(texts.length, textCount);
const questions = queries.slice(0, queryCount).map((query) => query.text);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

const rows: (string | number)[][] = [['model', ...batchSizes.map((size) => `texts/s, batch ${size}`), 'query p50 ms', 'query p95 ms']];
for (const model of models) {
  const server = await LocalEmbeddingServer.start({ model, port: 18500 + Math.floor(Math.random() * 100), startTimeoutMs: 180_000 });
  try {
    await server.embedder().embed(texts.slice(0, 4));
    const rates: number[] = [];
    for (const batchSize of batchSizes) {
      const started = performance.now();
      await server.embedder({ batchSize, timeoutMs: 600_000 }).embed(texts);
      rates.push(texts.length / ((performance.now() - started) / 1000));
    }
    const embedder = server.embedder();
    const latencies: number[] = [];
    for (const question of questions) {
      const started = performance.now();
      await embedder.embedQuery(question);
      latencies.push(performance.now() - started);
    }
    rows.push([model, ...rates, percentile(latencies, 50), percentile(latencies, 95)]);
    console.log(`${model}: done`);
  } finally {
    await server.stop();
  }
}
const averageCharacters = Math.round(texts.reduce((sum, text) => sum + text.length, 0) / texts.length);
console.log(`\nLocal embedders: ${texts.length} Cranfield chunks of ${averageCharacters} characters on average; ${questions.length} Cranfield queries one at a time\n`);
printTable(rows);
