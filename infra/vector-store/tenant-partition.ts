// The in-memory index of one tenant inside the embedded store: normalised dense vectors in one growing
// Float32Array (one row per slot), an inverted index of term frequencies with each passage's length, and
// the payloads. Freed slots are reused, so deletes cost no compaction. Keyword search is BM25 with this
// partition's statistics at query time: the terms' IDF and the average passage length, both kept up to
// date as points come and go.
import { bm25TermWeight, inverseDocumentFrequency, keywordLength } from '../../ingestion/keyword-vector.js';
import type { ChunkPayload, SparseVector } from '../../ingestion/ports.js';
import { PostingList } from './posting-list.js';
import { topK } from './top-k.js';

export interface StoredPoint {
  id: string;
  /** Unit length. */
  dense: Float32Array;
  /** Term frequencies. */
  sparse: SparseVector;
  payload: ChunkPayload;
}

export class TenantPartition {
  private vectors: Float32Array;
  private readonly points: (StoredPoint | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly slotById = new Map<string, number>();
  private readonly slotsByDocument = new Map<string, Set<number>>();
  private readonly postings = new Map<number, PostingList>();
  /** Per slot: the passage's length in terms. */
  private lengths = new Float64Array(64);
  private totalLength = 0;

  constructor(private readonly dimensions: number) {
    this.vectors = new Float32Array(dimensions * 64);
  }

  get size(): number {
    return this.slotById.size;
  }

  has(id: string): boolean {
    return this.slotById.has(id);
  }

  put(point: StoredPoint): void {
    this.remove(point.id);
    const slot = this.freeSlots.pop() ?? this.points.length;
    if ((slot + 1) * this.dimensions > this.vectors.length) {
      const grown = new Float32Array(this.vectors.length * 2);
      grown.set(this.vectors);
      this.vectors = grown;
    }
    this.vectors.set(point.dense, slot * this.dimensions);
    this.points[slot] = point;
    if (slot >= this.lengths.length) {
      const grown = new Float64Array(this.lengths.length * 2);
      grown.set(this.lengths);
      this.lengths = grown;
    }
    const length = keywordLength(point.sparse);
    this.lengths[slot] = length;
    this.totalLength += length;
    this.slotById.set(point.id, slot);
    let documentSlots = this.slotsByDocument.get(point.payload.documentId);
    if (!documentSlots) this.slotsByDocument.set(point.payload.documentId, (documentSlots = new Set()));
    documentSlots.add(slot);
    point.sparse.indices.forEach((term, position) => {
      let posting = this.postings.get(term);
      if (!posting) this.postings.set(term, (posting = new PostingList()));
      posting.add(slot, point.sparse.values[position]!);
    });
  }

  remove(id: string): void {
    const slot = this.slotById.get(id);
    if (slot === undefined) return;
    const point = this.points[slot]!;
    for (const term of point.sparse.indices) {
      const posting = this.postings.get(term);
      posting?.remove(slot);
      if (posting?.size === 0) this.postings.delete(term);
    }
    const documentSlots = this.slotsByDocument.get(point.payload.documentId);
    documentSlots?.delete(slot);
    if (documentSlots?.size === 0) this.slotsByDocument.delete(point.payload.documentId);
    this.totalLength -= this.lengths[slot]!;
    this.slotById.delete(id);
    this.points[slot] = undefined;
    this.freeSlots.push(slot);
  }

  documentPointIds(documentId: string): string[] {
    return [...(this.slotsByDocument.get(documentId) ?? [])].map((slot) => this.points[slot]!.id);
  }

  point(id: string): StoredPoint | undefined {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : this.points[slot];
  }

  /** Cosine similarity (vectors are unit length), best first. */
  denseSearch(query: Float32Array, limit: number): { point: StoredPoint; score: number }[] {
    const { vectors, dimensions, points } = this;
    return topK(points.length, limit, (slot) => {
      if (points[slot] === undefined) return undefined;
      // Four running sums let the JIT overlap the multiply-adds.
      let first = 0, second = 0, third = 0, fourth = 0;
      const offset = slot * dimensions;
      let dimension = 0;
      for (; dimension + 3 < dimensions; dimension += 4) {
        first += vectors[offset + dimension]! * query[dimension]!;
        second += vectors[offset + dimension + 1]! * query[dimension + 1]!;
        third += vectors[offset + dimension + 2]! * query[dimension + 2]!;
        fourth += vectors[offset + dimension + 3]! * query[dimension + 3]!;
      }
      for (; dimension < dimensions; dimension += 1) first += vectors[offset + dimension]! * query[dimension]!;
      return first + second + third + fourth;
    }).map(({ index, score }) => ({ point: points[index]!, score }));
  }

  /** The mean passage length in terms. */
  get averageLength(): number {
    return this.size > 0 ? this.totalLength / this.size : 0;
  }

  /** BM25 with this partition's IDF and average length; query values are the query's term frequencies. Best first. */
  keywordSearch(query: SparseVector, limit: number): { point: StoredPoint; score: number }[] {
    const scores = new Float64Array(this.points.length);
    const touched: number[] = [];
    const total = this.slotById.size;
    const averageLength = this.averageLength;
    const { lengths } = this;
    query.indices.forEach((term, position) => {
      const posting = this.postings.get(term);
      if (!posting) return;
      const weight = inverseDocumentFrequency(total, posting.size) * query.values[position]!;
      posting.forEach((slot, value) => {
        if (scores[slot] === 0) touched.push(slot);
        scores[slot]! += weight * bm25TermWeight(value, lengths[slot]!, averageLength);
      });
    });
    return topK(touched.length, limit, (index) => scores[touched[index]!]).map(({ index, score }) => ({ point: this.points[touched[index]!]!, score }));
  }
}
