import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectionName } from '../../infra/vector-store/collection-name.js';
import { reciprocalRankFusion } from '../../infra/vector-store/reciprocal-rank-fusion.js';
import { topK } from '../../infra/vector-store/top-k.js';

describe('topK', () => {
  it('returns the k best scores, best first, as a full sort would', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { nil: undefined })), fc.nat(40), (scores, k) => {
      const expected = scores.flatMap((score, index) => (score === undefined ? [] : [{ index, score }]))
        .sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k).map((entry) => entry.score);
      expect(topK(scores.length, k, (index) => scores[index]).map((entry) => entry.score)).toEqual(expected);
    }));
  });
});

describe('reciprocalRankFusion', () => {
  it('favours ids ranked well by both lists', () => {
    const fused = reciprocalRankFusion([['a', 'b', 'c'], ['b', 'd', 'a']], 4);
    expect(fused.map((entry) => entry.id)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 10);
  });
});

describe('collectionName', () => {
  it('names one collection per model and dimension count', () => {
    expect(collectionName({ model: 'all-MiniLM-L6-v2 (int8)', dimensions: 384 })).toBe('ragtime_all-minilm-l6-v2-int8_384');
    expect(collectionName({ model: 'text-embedding-3-small', dimensions: 512 })).not.toBe(collectionName({ model: 'text-embedding-3-small', dimensions: 1536 }));
  });
});
