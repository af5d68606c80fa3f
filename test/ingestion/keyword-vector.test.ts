import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bm25, bm25TermWeight, chunkKeywordVector, keywordLength, keywordTerms, passageKeywordVector, queryKeywordVector, termIndex } from '../../ingestion/keyword-vector.js';

describe('keyword vectors', () => {
  it('stems terms and drops stop words', () => {
    expect(keywordTerms('The pilots were flying the Wings!')).toEqual(['pilot', 'fly', 'wing']);
  });

  it('matches inflected forms between query and passage', () => {
    const passage = passageKeywordVector('Refunds are processed within thirty days.');
    const query = queryKeywordVector('how is a refund processed');
    const shared = query.indices.filter((index) => passage.indices.includes(index));
    expect(shared).toEqual([termIndex('refund'), termIndex('process')].sort((a, b) => a - b));
  });

  it('carries term frequencies for passages and queries, so a repeated query term weighs more', () => {
    const passage = passageKeywordVector('Turbine blades: the turbine blade cools.');
    expect(passage.values[passage.indices.indexOf(termIndex('turbin'))]).toBe(2);
    expect(passage.values[passage.indices.indexOf(termIndex('blade'))]).toBe(2);
    expect(keywordLength(passage)).toBe(5);
    const query = queryKeywordVector('turbine noise and turbine vibration');
    expect(query.values[query.indices.indexOf(termIndex('turbin'))]).toBe(2);
    expect(query.values[query.indices.indexOf(termIndex('nois'))]).toBe(1);
  });

  it('saturates repeated terms and penalises passages longer than the average', () => {
    expect(bm25TermWeight(2, 10, 10)).toBeGreaterThan(bm25TermWeight(1, 10, 10));
    expect(bm25TermWeight(50, 10, 10)).toBeLessThan(bm25.k1 + 1);
    expect(bm25TermWeight(1, 200, 10)).toBeLessThan(bm25TermWeight(1, 2, 10));
    expect(bm25TermWeight(1, 10, 10)).toBeCloseTo(1, 10);
    // The same passage weighs more in an index of longer passages.
    expect(bm25TermWeight(1, 50, 100)).toBeGreaterThan(bm25TermWeight(1, 50, 20));
  });

  it('counts a chunk\'s title terms twice, beside its heading path and text', () => {
    const vector = chunkKeywordVector({ title: 'Wing flutter', headingPath: ['Wing flutter', 'Tests'], text: 'Flutter of a swept wing in the tunnel.' });
    const frequency = (term: string) => vector.values[vector.indices.indexOf(termIndex(term))];
    // In the text once and in the title (written once by the embedding input, counted once more).
    expect(frequency('swept')).toBe(1);
    expect(frequency('test')).toBe(1);
    expect(frequency('flutter')).toBe(3);
    expect(frequency('wing')).toBe(3);
    expect(keywordLength(vector)).toBe(keywordLength(passageKeywordVector('Wing flutter › Tests\n\nFlutter of a swept wing in the tunnel.')) + 2);
  });

  it('produces sorted, unique indices and positive whole frequencies', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => {
      const vector = passageKeywordVector(text);
      expect(vector.indices.length).toBe(vector.values.length);
      vector.indices.forEach((index, position) => {
        expect(Number.isInteger(index) && index >= 0 && index < 2 ** 32).toBe(true);
        if (position > 0) expect(index).toBeGreaterThan(vector.indices[position - 1]!);
      });
      for (const value of vector.values) expect(Number.isInteger(value) && value > 0).toBe(true);
    }));
  });
});
