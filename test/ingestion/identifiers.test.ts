import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentId, normalizeSource, pointId } from '../../ingestion/identifiers.js';

describe('identifiers', () => {
  it('derives the document id from tenant and normalised source', () => {
    expect(documentId('acme', 'docs\\guide.md')).toBe(documentId('acme', ' docs/guide.md '));
    expect(documentId('acme', 'https://example.com/a#intro')).toBe(documentId('acme', 'https://example.com/a'));
    expect(documentId('acme', 'docs/guide.md')).not.toBe(documentId('globex', 'docs/guide.md'));
    expect(normalizeSource('HTTPS://Example.com/a')).toBe('https://example.com/a');
  });

  it('derives stable, distinct UUID point ids', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), (document, hashA, hashB) => {
      expect(pointId(document, hashA)).toBe(pointId(document, hashA));
      if (hashA !== hashB) expect(pointId(document, hashA)).not.toBe(pointId(document, hashB));
    }));
  });

  it('does not let tenant and source run into each other', () => {
    expect(documentId('ab', 'c')).not.toBe(documentId('a', 'bc'));
  });
});
