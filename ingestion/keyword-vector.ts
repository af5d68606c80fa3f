// Sparse keyword vectors for hybrid search. Terms are stemmed and hashed into the 32-bit index space, so
// no vocabulary has to be stored or shared. Passage and query vectors carry raw term frequencies; the
// vector store turns them into BM25 scores with its own statistics: each term's inverse document
// frequency and the average passage length of the index (bm25TermWeight, inverseDocumentFrequency).
import { stemmer } from 'stemmer';
import { eng as englishStopwords } from 'stopword';
import { embeddingInput, type Chunk } from './chunk-document.js';
import type { SparseVector } from './ports.js';

/** BM25's term-frequency saturation (k1) and length normalisation (b), the usual defaults. */
export const bm25 = { k1: 1.2, b: 0.75 } as const;

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

/** A passage's term frequencies; their sum is its length in terms (keywordLength). */
export function passageKeywordVector(text: string): SparseVector {
  return toSparse(countByIndex(keywordTerms(text)));
}

/**
 * What a stored keyword vector was made with: the passage term extraction (chunkKeywordVector) and BM25's
 * parameters. Both stores record it with every point and re-key points of another version from their text
 * when they open, so stored passages and new queries never disagree.
 * 1 (not recorded): the embedding input's terms. 2: the title's terms count twice.
 */
export const keywordVectorVersion = 2;

/**
 * A chunk's keyword vector: the terms of what is also embedded (title, heading path, text) plus the title's
 * terms once more, so a title match weighs like a second field (chosen on half of Cranfield's queries:
 * bench/retrieval-quality.ts).
 */
export function chunkKeywordVector(chunk: Pick<Chunk, 'title' | 'headingPath' | 'text'>): SparseVector {
  return toSparse(countByIndex([...keywordTerms(embeddingInput(chunk)), ...keywordTerms(chunk.title)]));
}

/** A query's term frequencies: a term asked for twice weighs twice (BM25's query term frequency). */
export function queryKeywordVector(text: string): SparseVector {
  return toSparse(countByIndex(keywordTerms(text)));
}

/** A passage's length in terms: the sum of its term frequencies. */
export function keywordLength(passage: SparseVector): number {
  return passage.values.reduce((sum, value) => sum + value, 0);
}

/** BM25's saturated, length-normalised weight of a term occurring `frequency` times in a passage of `length` terms. */
export function bm25TermWeight(frequency: number, length: number, averageLength: number): number {
  const lengthNorm = 1 - bm25.b + (bm25.b * length) / (averageLength > 0 ? averageLength : 1);
  return (frequency * (bm25.k1 + 1)) / (frequency + bm25.k1 * lengthNorm);
}

/** BM25's inverse document frequency of a term found in `containing` of `total` passages (as Qdrant's "idf" modifier computes it). */
export function inverseDocumentFrequency(total: number, containing: number): number {
  return Math.log((total - containing + 0.5) / (containing + 0.5) + 1);
}

/** A passage vector with its frequencies turned into BM25 weights for the given average length. */
export function bm25PassageWeights(passage: SparseVector, averageLength: number): SparseVector {
  const length = keywordLength(passage);
  return { indices: passage.indices, values: passage.values.map((frequency) => bm25TermWeight(frequency, length, averageLength)) };
}

/** The inverse of bm25PassageWeights for a passage of known length: its term frequencies again. */
export function termFrequenciesFromWeights(weights: SparseVector, length: number, averageLength: number): SparseVector {
  const lengthNorm = 1 - bm25.b + (bm25.b * length) / (averageLength > 0 ? averageLength : 1);
  return { indices: weights.indices, values: weights.values.map((weight) => Math.max(1, Math.round((weight * bm25.k1 * lengthNorm) / (bm25.k1 + 1 - weight)))) };
}

function countByIndex(terms: readonly string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const term of terms) {
    const index = termIndex(term);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

function toSparse(counts: Map<number, number>): SparseVector {
  const indices = [...counts.keys()].sort((left, right) => left - right);
  return { indices, values: indices.map((index) => counts.get(index)!) };
}
