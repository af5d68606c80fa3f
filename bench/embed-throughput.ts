// Raw throughput of the local embedding model (all-MiniLM-L6-v2 int8 over /v1/embeddings) by request batch size, on
// Cranfield passages, to choose the batch size. Usage: npx tsx bench/embed-throughput.ts [collection-dir] [texts]
import { embeddingInput, chunkDocument, defaultChunking } from '../ingestion/chunk-document.js';
import { LocalEmbeddingServer } from '../infra/embeddings/local-embedding-server.js';
import { loadCranfield } from './lib/cranfield.js';
import { printTable } from './lib/table.js';

const directory = process.argv[2] ?? '/work/shared/datasets/cranfield';
const textCount = Number(process.argv[3] ?? 128);
const batchSizes = [1, 4, 8, 16, 32, 64];

const { documents } = await loadCranfield(directory);
const texts: string[] = [];
for (const document of documents) {
  if (texts.length >= textCount) break;
  const chunks = await chunkDocument({ documentId: document.id, source: document.id, document: { title: document.title, text: document.text || document.title, format: 'plain' } }, defaultChunking);
  texts.push(...chunks.map(embeddingInput));
}
texts.length = Math.min(texts.length, textCount);

const server = await LocalEmbeddingServer.start({ port: 18900 + Math.floor(Math.random() * 90) });
try {
  await server.embedder().embed(texts.slice(0, 4));
  const rows: (string | number)[][] = [['batch size', 'texts/s', 'ms per text', 'vs batch 1']];
  let single = 0;
  for (const batchSize of batchSizes) {
    const embedder = server.embedder({ batchSize, timeoutMs: 300_000 });
    const started = performance.now();
    await embedder.embed(texts);
    const seconds = (performance.now() - started) / 1000;
    const rate = texts.length / seconds;
    single ||= rate;
    rows.push([batchSize, rate, (1000 * seconds) / texts.length, `${(rate / single).toFixed(2)}x`]);
  }
  const averageCharacters = Math.round(texts.reduce((sum, text) => sum + text.length, 0) / texts.length);
  console.log(`Local embedder throughput: ${texts.length} Cranfield chunks of ${averageCharacters} characters on average\n`);
  printTable(rows);
} finally {
  await server.stop();
}
