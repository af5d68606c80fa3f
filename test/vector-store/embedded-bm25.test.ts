// The embedded store's keyword search is textbook BM25 over each tenant's own statistics: checked against
// a direct computation of the formula, with query term frequencies and the average passage length as it
// stands after points are added and removed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bm25, chunkKeywordVector, keywordTerms, keywordVectorVersion, queryKeywordVector, termIndex } from '../../ingestion/keyword-vector.js';
import { EmbeddedVectorIndex } from '../../infra/vector-store/embedded-vector-index.js';
import { contractDimensions, point } from './contract.js';

/** BM25 (the product's k1 and b, Lucene's IDF) computed from the texts directly. */
function referenceScores(passages: readonly string[], question: string): number[] {
  const documents = passages.map(keywordTerms);
  const average = documents.reduce((sum, terms) => sum + terms.length, 0) / documents.length;
  const queryTerms = keywordTerms(question);
  return documents.map((terms) => {
    let score = 0;
    for (const term of new Set(queryTerms)) {
      const frequency = terms.filter((candidate) => candidate === term).length;
      if (frequency === 0) continue;
      const containing = documents.filter((document) => document.includes(term)).length;
      const idf = Math.log(1 + (documents.length - containing + 0.5) / (containing + 0.5));
      const queryFrequency = queryTerms.filter((candidate) => candidate === term).length;
      score += queryFrequency * idf * (frequency * (bm25.k1 + 1)) / (frequency + bm25.k1 * (1 - bm25.b + (bm25.b * terms.length) / average));
    }
    return score;
  });
}

describe('EmbeddedVectorIndex BM25', () => {
  let directory: string;
  let index: EmbeddedVectorIndex;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ragtime-bm25-'));
    index = new EmbeddedVectorIndex({ directory, collection: 'bm25', dimensions: contractDimensions });
  });
  afterEach(async () => {
    await index.close();
    await rm(directory, { recursive: true, force: true });
  });

  const texts = [
    'Wing lift grows with the angle of attack until the wing stalls.',
    'Turbofan engines mix bypass air with the hot exhaust jet behind the turbine.',
    'Lift and drag of a thin wing at supersonic speed.',
    'Boundary layer transition on a flat plate in a wind tunnel, measured with hot wires over many runs at several speeds.',
  ];
  const scoresOf = async (question: string, ids: readonly string[]) => {
    const hits = await index.query({ tenant: 'acme', dense: [1, 0, 0, 0], sparse: queryKeywordVector(question), limit: 10, mode: 'keyword' });
    return ids.map((id) => hits.find((hit) => hit.id === id)?.score ?? 0);
  };

  it('scores as BM25 with query term frequencies and the index\'s average length, kept current as points come and go', async () => {
    const points = texts.map((text, position) => point('acme', `d${position}`, 0, [1, 0, 0, 0], text));
    await index.upsert(points.slice(0, 3));
    const question = 'wing lift, lift and more lift at supersonic speed';
    const ids = points.map((entry) => entry.id);
    expect(await scoresOf(question, ids.slice(0, 3))).toEqual(referenceScores(texts.slice(0, 3), question).map((score) => expect.closeTo(score, 5)));

    await index.upsert([points[3]!]);
    expect(await scoresOf(question, ids)).toEqual(referenceScores(texts, question).map((score) => expect.closeTo(score, 5)));

    await index.deletePoints('acme', [ids[1]!]);
    const remaining = [texts[0]!, texts[2]!, texts[3]!];
    expect(await scoresOf(question, [ids[0]!, ids[2]!, ids[3]!])).toEqual(referenceScores(remaining, question).map((score) => expect.closeTo(score, 5)));
  });

  it('ranks by the query\'s term frequencies', async () => {
    const lift = point('acme', 'lift', 0, [1, 0, 0, 0], 'lift coefficient');
    const drag = point('acme', 'drag', 0, [1, 0, 0, 0], 'drag coefficient');
    await index.upsert([lift, drag]);
    const first = async (question: string) => (await index.query({ tenant: 'acme', dense: [1, 0, 0, 0], sparse: queryKeywordVector(question), limit: 1, mode: 'keyword' }))[0]?.id;
    expect(await first('lift drag drag')).toBe(drag.id);
    expect(await first('lift lift drag')).toBe(lift.id);
  });

  it('re-keys points logged with an older keyword vector version from their text, and rewrites the log', async () => {
    const chunk = point('acme', 'old', 0, [1, 0, 0, 0], 'supersonic wing');
    await index.upsert([chunk]);
    await index.close();
    // Rewrite the log line as version 1 wrote it: no version, and (as before query-time BM25) finished weights of other terms.
    const log = join(directory, 'bm25', 'points.jsonl');
    const record = JSON.parse((await readFile(log, 'utf8')).trim()) as { points: Record<string, unknown>[] };
    delete record.points[0]!.keywordVersion;
    record.points[0]!.sparseIndices = Buffer.from(Uint32Array.from([termIndex('obsolet')]).buffer).toString('base64');
    record.points[0]!.sparseValues = Buffer.from(Float32Array.from([0.75]).buffer).toString('base64');
    await writeFile(log, `${JSON.stringify(record)}\n`);
    const reopened = new EmbeddedVectorIndex({ directory, collection: 'bm25', dimensions: contractDimensions });
    const search = (text: string) => reopened.query({ tenant: 'acme', dense: [1, 0, 0, 0], sparse: queryKeywordVector(text), limit: 1, mode: 'keyword' });
    const [hit] = await search('wing');
    expect(await search('obsolete')).toEqual([]);
    await reopened.close();
    expect(hit?.id).toBe(chunk.id);
    // One passage: its length is the average, so the term weight is 1 and the score the IDF.
    expect(hit!.score).toBeCloseTo(Math.log(1 + 0.5 / 1.5), 5);
    const rewritten = (await readFile(log, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { points: { keywordVersion?: number; sparseIndices: string }[] });
    expect(rewritten).toHaveLength(1);
    expect(rewritten[0]!.points[0]!.keywordVersion).toBe(keywordVectorVersion);
    expect([...new Uint32Array(Uint8Array.from(Buffer.from(rewritten[0]!.points[0]!.sparseIndices, 'base64')).buffer)]).toEqual(chunkKeywordVector(chunk.payload).indices);
  });
});
