// Limits and charsets of the parsers, called directly (the workflow suites show the same through a worker).
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../ingestion/parse-document.js';
import { defaultDocumentLimits, DocumentError, type DocumentLimits } from '../../ingestion/parsed-document.js';
import { buildDocx, buildDocxBomb, buildPdf } from './fixtures/build-documents.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const limits = (overrides: Partial<DocumentLimits>): DocumentLimits => ({ ...defaultDocumentLimits, ...overrides });

async function refusal(promise: Promise<unknown>): Promise<DocumentError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

describe('bounded extraction', () => {
  const paragraph = 'All work and no play makes Jack a dull boy. '.repeat(20);

  it('refuses an archive that declares more than the extraction budget before inflating it', async () => {
    const bomb = await buildDocxBomb(paragraph, 20_000); // about 18 MB of XML
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    const started = performance.now();
    const error = await refusal(parseDocument({ bytes: bomb, source: 'bomb.docx' }, limits({ maxExtractedBytes: 8 * 1024 * 1024, maxCompressionRatio: 1e9 })));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('limit-exceeded');
    expect(error.message).toMatch(/^bomb\.docx: archive declares \d+ bytes once inflated, more than the limit of 8388608 \(INGESTION_MAX_EXTRACTED_BYTES\)$/);
  });

  it('refuses an archive whose compression ratio is implausible', async () => {
    const bomb = await buildDocxBomb(paragraph, 20_000);
    const error = await refusal(parseDocument({ bytes: bomb, source: 'bomb.docx' }, limits({ maxCompressionRatio: 50 })));
    expect(error.message).toContain('(INGESTION_MAX_COMPRESSION_RATIO)');
  });

  it('stops inflating an entry that yields more than its archive declared', async () => {
    const liar = await buildDocxBomb(paragraph, 20_000, { understate: true });
    const error = await refusal(parseDocument({ bytes: liar, source: 'liar.docx' }));
    expect(error.code).toBe('corrupt-document');
    expect(error.message).toMatch(/^liar\.docx is not a readable zip archive: .*too many bytes/);
  });

  it('still reads an ordinary Word document through the bounded reader', async () => {
    const docx = await buildDocx([['Heading1', 'Onboarding'], 'Welcome aboard.']);
    expect((await parseDocument({ bytes: docx, source: 'ok.docx' })).text).toBe('# Onboarding\n\nWelcome aboard.');
  });

  it('refuses 200,000 nested elements with the nesting limit instead of overflowing the stack', async () => {
    const depth = 200_000;
    const html = `<html><body>${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}</body></html>`;
    const error = await refusal(parseDocument({ bytes: bytes(html), source: 'deep.html' }));
    expect(error.message).toBe('deep.html: elements nested 513+ levels deep, more than the limit of 512 (INGESTION_MAX_NESTING_DEPTH)');
  });

  it('refuses deeply nested JSON with the nesting limit', async () => {
    const json = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const error = await refusal(parseDocument({ bytes: bytes(json), source: 'deep.json' }));
    expect(error.message).toContain('(INGESTION_MAX_NESTING_DEPTH)');
  });

  it('refuses more text than the per-document limit and more PDF pages than allowed', async () => {
    const text = await refusal(parseDocument({ bytes: bytes('word '.repeat(1000)), source: 'long.txt' }, limits({ maxTextCharacters: 1000 })));
    expect(text.message).toBe('long.txt: 4999 characters of text, more than the limit of 1000 (INGESTION_MAX_TEXT_CHARACTERS)');
    const pdf = await refusal(parseDocument({ bytes: buildPdf(['page one'], 'Pages'), source: 'pages.pdf' }, limits({ maxPdfPages: 0 })));
    expect(pdf.message).toBe('pages.pdf: 1 pages, more than the limit of 0 (INGESTION_MAX_PDF_PAGES)');
  });
});

describe('charsets', () => {
  const utf16 = (text: string, endian: 'le' | 'be') => {
    const little = Buffer.from(`\uFEFF${text}`, 'utf16le');
    return endian === 'le' ? little : Buffer.from(little).swap16();
  };

  it.each(['le', 'be'] as const)('decodes UTF-16%s by its byte-order mark', async (endian) => {
    const parsed = await parseDocument({ bytes: utf16('Crème brûlée at the café, 東京タワー.', endian), source: 'menu.txt' });
    expect(parsed.text).toBe('Crème brûlée at the café, 東京タワー.');
  });

  it('decodes HTML by its <meta charset> (windows-1252)', async () => {
    const html = encode('<html><head><meta charset="windows-1252"><title>Menu</title></head><body><p>Crème brûlée – “served” at the café</p></body></html>', 'windows-1252');
    expect(html.includes(0x96)).toBe(true); // the en dash, which latin1 does not have
    const parsed = await parseDocument({ bytes: html, source: 'menu.html' });
    expect(parsed.text).toBe('Crème brûlée – “served” at the café');
  });

  it('decodes by the charset of the HTTP Content-Type (Shift_JIS)', async () => {
    const parsed = await parseDocument({ bytes: encode('東京タワーの高さは三百三十三メートルです。', 'Shift_JIS'), source: 'https://example.jp/tower', contentType: 'text/plain; charset=Shift_JIS' });
    expect(parsed.text).toBe('東京タワーの高さは三百三十三メートルです。');
  });

  it('detects an undeclared legacy encoding as a last resort', async () => {
    const japanese = '東京タワーは東京都港区芝公園にある総合電波塔です。高さは三百三十三メートルで、展望台からは富士山が見えます。';
    expect((await parseDocument({ bytes: encode(japanese, 'Shift_JIS'), source: 'tower.txt' })).text).toBe(japanese);
    const french = 'Le café de la gare sert une crème brûlée très appréciée des voyageurs pressés.';
    expect((await parseDocument({ bytes: encode(french, 'windows-1252'), source: 'gare.txt' })).text).toBe(french);
  });
});

// iconv-lite encodes the fixtures; decoding goes through TextDecoder (ICU), so the two sides are independent.
function encode(text: string, encoding: string): Uint8Array {
  return new Uint8Array(iconv.encode(text, encoding));
}
