// Sparse keyword vectors for hybrid search. Terms are stemmed and hashed into the 32-bit index space, so
// no vocabulary has to be stored or shared. Passage weights are BM25's saturated term frequency; the
// index multiplies them by each term's inverse document frequency at query time (Qdrant's "idf"
// modifier), which together give the BM25 score.
import { stemmer } from 'stemmer';
import { eng as englishStopwords } from 'stopword';
import type { SparseVector } from './ports.js';

export interface KeywordVectorOptions {
  /** BM25 term-frequency saturation. */
  k1?: number;
  /** BM25 length normalisation. */
  b?: number;
  /** Expected passage length in terms, standing in for the corpus average. */
  averageLength?: number;
}

const stopwords = new Set(englishStopwords);

/** Lowercased, stemmed terms without stop words, in order. */
export function keywordTerms(text: string): string[] {
  const terms: string[] = [];
  for (const [word] of text.normalize('NFKC').toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    if (stopwords.has(word) || (word.length < 2 && !/\d/.test(word))) continue;
    terms.push(stemmer(word));
  }
  return terms;
}

/** FNV-1a, 32 bits, unsigned: a stable index for a term. */
export function termIndex(term: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < term.length; index += 1) {
    hash ^= term.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function passageKeywordVector(text: string, options: KeywordVectorOptions = {}): SparseVector {
  const { k1 = 1.2, b = 0.75, averageLength = 100 } = options;
  const terms = keywordTerms(text);
  const frequencies = countByIndex(terms);
  const lengthNorm = 1 - b + (b * terms.length) / averageLength;
  return toSparse(frequencies, (frequency) => (frequency * (k1 + 1)) / (frequency + k1 * lengthNorm));
}

/** Each distinct query term weighs 1: the index's IDF does the weighting. */
export function queryKeywordVector(text: string): SparseVector {
  return toSparse(countByIndex(keywordTerms(text)), () => 1);
}

function countByIndex(terms: readonly string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const term of terms) {
    const index = termIndex(term);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

function toSparse(counts: Map<number, number>, weight: (count: number) => number): SparseVector {
  const indices = [...counts.keys()].sort((left, right) => left - right);
  return { indices, values: indices.map((index) => weight(counts.get(index)!)) };
}
