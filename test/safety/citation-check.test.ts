import { describe, expect, it } from 'vitest';
import { checkCitations } from '../../domain/safety/citation-check.js';

describe('checkCitations', () => {
  it('accepts markers that all point at numbered sources', () => {
    expect(checkCitations('Temporal replays history [1]. Qdrant stores vectors [2][1].', 2)).toEqual({ valid: true, cited: [1, 2], unknown: [], reasons: [] });
  });

  it('rejects markers beyond the sources and zero', () => {
    const check = checkCitations('Claim [1, 3]. Other [0].', 2);
    expect(check.valid).toBe(false);
    expect(check.unknown).toEqual([3, 0]);
    expect(check.reasons[0]).toContain('[3], [0]');
  });

  it('rejects any marker when there are no sources', () => {
    expect(checkCitations('As shown in [1].', 0).valid).toBe(false);
  });

  it('ignores markdown links and bracketed words', () => {
    expect(checkCitations('See [1](https://example.com) and [note].', 0).valid).toBe(true);
  });
});
