import { describe, expect, it } from 'vitest';
import { detectFormat, parseDocument } from '../../ingestion/parse-document.js';
import { DocumentError } from '../../ingestion/parsed-document.js';
import { buildDocx, buildPdf } from './fixtures/build-documents.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseDocument', () => {
  it('reads plain text with normalised line endings and the file name as title', async () => {
    const parsed = await parseDocument({ bytes: bytes('\uFEFFfirst line  \r\nsecond\r\n\r\n\r\n\r\nthird'), source: 'notes/meeting-notes.txt' });
    expect(parsed).toEqual({ title: 'meeting-notes', text: 'first line\nsecond\n\nthird', format: 'plain' });
  });

  it('keeps Markdown as Markdown and takes its first level-1 heading as title', async () => {
    const parsed = await parseDocument({ bytes: bytes('Preface\n\n# Refund policy\n\nRefunds within 30 days.'), source: 'policy.md' });
    expect(parsed.title).toBe('Refund policy');
    expect(parsed.format).toBe('markdown');
    expect(parsed.text).toContain('Refunds within 30 days.');
  });

  it('turns HTML into Markdown without scripts, styles or navigation', async () => {
    const html = '<html><head><title>Pricing</title><style>p{}</style></head><body><nav>Home | About</nav><h1>Plans</h1><h2>Team</h2><p>Team costs <b>$10</b>.</p><script>alert(1)</script></body></html>';
    const parsed = await parseDocument({ bytes: bytes(html), source: 'https://example.com/pricing.html#top' });
    expect(parsed.title).toBe('Pricing');
    expect(parsed.text).toBe('# Plans\n\n## Team\n\nTeam costs **$10**.');
  });

  it('extracts the text and metadata title of a PDF', async () => {
    const parsed = await parseDocument({ bytes: buildPdf(['Quarterly report', 'Revenue grew by 12 percent.'], 'Q3 Report'), source: 'q3.pdf' });
    expect(parsed.title).toBe('Q3 Report');
    expect(parsed.text).toContain('Revenue grew by 12 percent.');
  });

  it('turns a Word document into Markdown that keeps its headings', async () => {
    const docx = await buildDocx([['Heading1', 'Onboarding'], 'Welcome aboard.', ['Heading2', 'Laptops'], 'Pick one up on day one.']);
    const parsed = await parseDocument({ bytes: docx, source: 'handbook.docx' });
    expect(parsed.format).toBe('markdown');
    expect(parsed.title).toBe('Onboarding');
    expect(parsed.text).toBe('# Onboarding\n\nWelcome aboard.\n\n## Laptops\n\nPick one up on day one.');
  });

  it('renders JSON as one "path: value" line per leaf, records apart', async () => {
    const json = JSON.stringify([{ name: 'Ada', skills: ['math', 'poetry'] }, { name: 'Alan', address: { city: 'Wilmslow' } }]);
    const parsed = await parseDocument({ bytes: bytes(json), source: 'people.json' });
    expect(parsed.text).toBe('[0].name: Ada\n[0].skills[0]: math\n[0].skills[1]: poetry\n\n[1].name: Alan\n[1].address.city: Wilmslow');
  });

  it('renders CSV rows with their column names', async () => {
    const parsed = await parseDocument({ bytes: bytes('sku,name,price\nA1,"Desk, oak",120\nB2,Chair,\n'), source: 'catalog.csv' });
    expect(parsed.text).toBe('sku: A1; name: Desk, oak; price: 120\nsku: B2; name: Chair');
  });

  it.each([
    ['unsupported-format', 'setup.exe', bytes('MZ')],
    ['corrupt-document', 'broken.pdf', bytes('this is not a pdf')],
    ['corrupt-document', 'broken.docx', bytes('not a zip')],
    ['corrupt-document', 'broken.json', bytes('{"a": ')],
    ['corrupt-document', 'broken.csv', bytes('a,b\n"unterminated,1\n')],
    ['corrupt-document', 'binary.txt', new Uint8Array([0x66, 0x00, 0x67])],
    ['corrupt-document', 'random.txt', new Uint8Array(Array.from({ length: 400 }, (_, index) => (index * 7919) % 256))],
    ['empty-document', 'blank.md', bytes(' \n\n ')],
  ])('fails %s for %s with a non-retryable DocumentError naming the source', async (code, source, content) => {
    const failure = await parseDocument({ bytes: content, source }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DocumentError);
    expect(failure).toMatchObject({ code, retryable: false });
    expect((failure as Error).message).toContain(source);
  });

  it('detects the format from the extension first, then the content type', () => {
    expect(detectFormat('https://example.com/a/b.PDF?x=1')).toBe('pdf');
    expect(detectFormat('https://example.com/docs', 'text/html; charset=utf-8')).toBe('html');
    expect(detectFormat('archive.zip', 'application/zip')).toBeUndefined();
  });
});
