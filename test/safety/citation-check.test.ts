import { describe, expect, it } from 'vitest';
import { checkCitations } from '../../domain/safety/citation-check.js';

const sources = [
  { names: ['orbitra-batteries-and-warranty', 'http://docs.example/orbitra-batteries-and-warranty.txt'] },
  { names: ['Orbitra Setup', 'http://docs.example/orbitra-setup.html'] },
];

describe('checkCitations', () => {
  it('accepts markers that all point at numbered sources', () => {
    const answer = 'Temporal replays history [1]. Qdrant stores vectors [2][1].';
    expect(checkCitations(answer, 2)).toEqual({ valid: true, cited: [1, 2], unknown: [], sourceLines: 0, inventedSourceLines: 0, answer, reasons: [] });
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

  it('removes a line restating a source, as the sample question\'s answer had it', () => {
    const answer = 'The tracker runs 18 months on two AA lithium batteries [1].\n\n[1] orbitra-batteries-and-warranty: #12, #15, #16, #20, …';
    const check = checkCitations(answer, sources);
    expect(check).toMatchObject({ valid: true, cited: [1], sourceLines: 1, inventedSourceLines: 0, answer: 'The tracker runs 18 months on two AA lithium batteries [1].' });
    expect(check.reasons).toEqual(['removed 1 line(s) restating the source list']);
  });

  it('flags and removes source lines naming no retrieved source, or a source number that does not exist', () => {
    const answer = 'Pair it in the app [2].\n- [2] orbitra-pairing-guide: p. 4\n[7] Orbitra Setup\n[1]: http://docs.example/orbitra-batteries-and-warranty.txt';
    const check = checkCitations(answer, sources);
    expect(check.answer).toBe('Pair it in the app [2].');
    expect(check).toMatchObject({ valid: false, sourceLines: 3, inventedSourceLines: 2, unknown: [7] });
    expect(check.reasons).toContain('removed 3 line(s) restating the source list, 2 naming no retrieved source');
  });

  it('keeps lines that state something after a marker, and bare markers closing a paragraph', () => {
    const answer = '[1] Battery life: 18 months on two AA lithium batteries.\n[2] Pair the tracker from the app first.\nIt is waterproof.\n[1]';
    const check = checkCitations(answer, sources);
    expect(check).toMatchObject({ valid: true, sourceLines: 0, answer });
  });
});
