// Query latency of the embedded vector store at 10k and 100k chunks of one tenant (the worst case: the
// tenant filter prunes nothing). Vectors are random 384-dimensional unit vectors and passages are drawn
// from a Zipf-distributed vocabulary, so the keyword index has realistic posting-list lengths.
// Usage: npx tsx bench/retrieval-latency.ts [sizes, default 10000,100000] [queries, default 200]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passageKeywordVector, queryKeywordVector } from '../ingestion/keyword-vector.js';
import type { IndexedPoint, RetrievalMode } from '../ingestion/ports.js';
import { EmbeddedVectorIndex } from '../infra/vector-store/embedded-vector-index.js';
import { percentile } from './lib/metrics.js';
import { printTable } from './lib/table.js';

const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const queryCount = Number(process.argv[3] ?? 200);
const dimensions = 384;
const tenant = 'bench';

let seed = 42;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const vocabulary = Array.from({ length: 20_000 }, (_, rank) => `term${rank.toString(36)}`);
const zipfWord = () => vocabulary[Math.min(vocabulary.length - 1, Math.floor(Math.exp(random() * Math.log(vocabulary.length))) - 1)]!;
const text = (words: number) => Array.from({ length: words }, zipfWord).join(' ');
const unitVector = () => {
  const vector = Array.from({ length: dimensions }, () => random() + random() + random() - 1.5);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
};

const rows: (string | number)[][] = [['chunks', 'mode', 'p50 ms', 'p95 ms', 'upsert s', 'reopen s']];
for (const size of sizes) {
  const directory = await mkdtemp(join(tmpdir(), 'ragtime-latency-'));
  try {
    const index = new EmbeddedVectorIndex({ directory, collection: 'latency', dimensions });
    const upsertStarted = performance.now();
    for (let start = 0; start < size; start += 5000) {
      const points: IndexedPoint[] = Array.from({ length: Math.min(5000, size - start) }, (_, offset) => {
        const passage = text(120);
        return {
          id: crypto.randomUUID(),
          dense: unitVector(),
          sparse: passageKeywordVector(passage),
          payload: { tenant, documentId: `doc-${Math.floor((start + offset) / 10)}`, title: 'Synthetic', source: 'bench', position: (start + offset) % 10, headingPath: [], text: passage, contentHash: '' },
        };
      });
      await index.upsert(points);
    }
    const upsertSeconds = (performance.now() - upsertStarted) / 1000;
    const reopenStarted = performance.now();
    const reopened = new EmbeddedVectorIndex({ directory, collection: 'latency', dimensions });
    await reopened.ensureCollection();
    const reopenSeconds = (performance.now() - reopenStarted) / 1000;
    await index.close();

    const queries = Array.from({ length: queryCount }, () => ({ dense: unitVector(), sparse: queryKeywordVector(text(5)) }));
    for (const mode of ['dense', 'keyword', 'hybrid'] as RetrievalMode[]) {
      const timings: number[] = [];
      for (const [position, query] of queries.entries()) {
        const started = performance.now();
        await reopened.query({ tenant, ...query, limit: 10, candidates: 50, mode });
        if (position >= 5) timings.push(performance.now() - started);
      }
      rows.push([size, mode, percentile(timings, 0.5), percentile(timings, 0.95), upsertSeconds, reopenSeconds]);
    }
    await reopened.close();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
console.log(`Embedded vector store query latency, ${queryCount} queries, top 10 of 50 candidates per list, one tenant\n`);
printTable(rows);
