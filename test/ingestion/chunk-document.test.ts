import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkDocument, embeddingInput, type ChunkingOptions } from '../../ingestion/chunk-document.js';
import { documentId } from '../../ingestion/identifiers.js';
import type { ParsedDocument } from '../../ingestion/parsed-document.js';

const source = 'handbook.md';
const id = documentId('acme', source);
const chunk = (document: ParsedDocument, options?: ChunkingOptions) => chunkDocument({ documentId: id, source, document }, options);

const markdown = [
  '# Handbook', '', 'Welcome to the company.', '',
  '## Benefits', '', 'Health insurance starts on day one.', '',
  '### Dental', '', 'Dental is covered at 80 percent.', '',
  '```sh', '# not a heading', '```', '',
  '## Travel', '', 'Book trains, not planes, under 500 km.',
].join('\n');

describe('chunkDocument', () => {
  it('cuts Markdown at headings and gives each chunk its heading path, title and position', async () => {
    const chunks = await chunk({ title: 'Handbook', text: markdown, format: 'markdown' }, { chunkSize: 200, chunkOverlap: 20 });
    expect(chunks.map((entry) => [entry.position, entry.headingPath])).toEqual([
      [0, ['Handbook']],
      [1, ['Handbook', 'Benefits']],
      [2, ['Handbook', 'Benefits', 'Dental']],
      [3, ['Handbook', 'Travel']],
    ]);
    expect(chunks[2]!.text).toBe('### Dental\n\nDental is covered at 80 percent.\n\n```sh\n# not a heading\n```');
    for (const entry of chunks) {
      expect(entry).toMatchObject({ documentId: id, source, title: 'Handbook' });
      expect(markdown.slice(entry.start, entry.end)).toBe(entry.text);
    }
  });

  it('embeds the title and heading path with the text', () => {
    expect(embeddingInput({ title: 'Handbook', headingPath: ['Handbook', 'Benefits'], text: 'Health insurance.' }))
      .toBe('Handbook › Benefits\n\nHealth insurance.');
  });

  it('gives repeated identical chunks distinct ids', async () => {
    const text = Array.from({ length: 4 }, () => 'Same paragraph repeated here.').join('\n\n');
    const chunks = await chunk({ title: 'Repeats', text, format: 'plain' }, { chunkSize: 30, chunkOverlap: 0 });
    expect(chunks).toHaveLength(4);
    expect(new Set(chunks.map((entry) => entry.id)).size).toBe(4);
  });

  it('changes the ids of edited chunks only', async () => {
    const paragraphs = ['Alpha paragraph one.', 'Beta paragraph two.', 'Gamma paragraph three.'];
    const options = { chunkSize: 25, chunkOverlap: 0 };
    const before = await chunk({ title: 'T', text: paragraphs.join('\n\n'), format: 'plain' }, options);
    const after = await chunk({ title: 'T', text: [paragraphs[0], 'Beta paragraph edited.', paragraphs[2]].join('\n\n'), format: 'plain' }, options);
    expect(after.map((entry) => entry.id === before[entry.position]!.id)).toEqual([true, false, true]);
  });

  it('rejects an overlap not smaller than the chunk size', async () => {
    await expect(chunk({ title: 'T', text: 'x', format: 'plain' }, { chunkSize: 10, chunkOverlap: 10 })).rejects.toThrow(RangeError);
  });
});

const word = fc.stringMatching(/^[a-z]{1,12}$/);
const line = fc.array(word, { minLength: 1, maxLength: 14 }).map((words) => words.join(' '));
const block = fc.oneof(
  { weight: 4, arbitrary: fc.array(line, { minLength: 1, maxLength: 5 }).map((lines) => lines.join('\n')) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 4 }), line).map(([depth, title]) => `${'#'.repeat(depth)} ${title}`) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{40,120}$/) },
);
const documentArbitrary = fc.record({
  text: fc.array(block, { minLength: 1, maxLength: 25 }).map((blocks) => blocks.join('\n\n')),
  format: fc.constantFrom<'markdown' | 'plain'>('markdown', 'plain'),
});
const optionsArbitrary = fc.integer({ min: 20, max: 400 }).chain((chunkSize) =>
  fc.integer({ min: 0, max: Math.floor(chunkSize / 2) }).map((chunkOverlap) => ({ chunkSize, chunkOverlap })));

describe('chunkDocument properties', () => {
  it('covers every non-space character of the document, in order, within the size limit', async () => {
    await fc.assert(fc.asyncProperty(documentArbitrary, optionsArbitrary, async ({ text, format }, options) => {
      const chunks = await chunk({ title: 'Doc', text, format }, options);
      const covered = new Uint8Array(text.length);
      let previousStart = -1;
      chunks.forEach((entry, index) => {
        expect(entry.position).toBe(index);
        expect(entry.text.length).toBeLessThanOrEqual(options.chunkSize);
        expect(text.slice(entry.start, entry.end)).toBe(entry.text);
        expect(entry.start).toBeGreaterThan(previousStart);
        previousStart = entry.start;
        covered.fill(1, entry.start, entry.end);
      });
      for (let offset = 0; offset < text.length; offset += 1) {
        if (!/\s/.test(text[offset]!)) expect(covered[offset], `offset ${offset} uncovered`).toBe(1);
      }
    }), { numRuns: 150 });
  });

  it('gives the same ids for the same document and unique ids within it', async () => {
    await fc.assert(fc.asyncProperty(documentArbitrary, optionsArbitrary, async ({ text, format }, options) => {
      const first = await chunk({ title: 'Doc', text, format }, options);
      const second = await chunk({ title: 'Doc', text, format }, options);
      expect(second.map((entry) => entry.id)).toEqual(first.map((entry) => entry.id));
      expect(new Set(first.map((entry) => entry.id)).size).toBe(first.length);
      for (const entry of first) expect(entry.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }), { numRuns: 60 });
  });
});
