import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keywordTerms, passageKeywordVector, queryKeywordVector, termIndex } from '../../ingestion/keyword-vector.js';

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

  it('saturates repeated terms and penalises long passages', () => {
    const weightOf = (text: string) => passageKeywordVector(text).values[0]!;
    expect(weightOf('turbine turbine')).toBeGreaterThan(weightOf('turbine'));
    expect(weightOf('turbine '.repeat(50))).toBeLessThan(2.2);
    const short = passageKeywordVector('turbine blade');
    const long = passageKeywordVector(`turbine ${'blade '.repeat(200)}`);
    expect(long.values[long.indices.indexOf(termIndex('turbin'))]!).toBeLessThan(short.values[short.indices.indexOf(termIndex('turbin'))]!);
  });

  it('produces sorted, unique indices and positive finite weights', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => {
      const vector = passageKeywordVector(text);
      expect(vector.indices.length).toBe(vector.values.length);
      vector.indices.forEach((index, position) => {
        expect(Number.isInteger(index) && index >= 0 && index < 2 ** 32).toBe(true);
        if (position > 0) expect(index).toBeGreaterThan(vector.indices[position - 1]!);
      });
      for (const value of vector.values) expect(Number.isFinite(value) && value > 0).toBe(true);
    }));
  });
});
