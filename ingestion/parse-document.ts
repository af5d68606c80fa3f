import { defaultDocumentLimits, DocumentError, limitExceeded, type DocumentInput, type DocumentLimits, type ParsedDocument } from './parsed-document.js';
import type { ParseContext } from './parsers/parse-context.js';
import { parseCsv } from './parsers/parse-csv.js';
import { parseDocx } from './parsers/parse-docx.js';
import { parseHtml } from './parsers/parse-html.js';
import { parseJson } from './parsers/parse-json.js';
import { parseMarkdown } from './parsers/parse-markdown.js';
import { parsePdf } from './parsers/parse-pdf.js';
import { parseText } from './parsers/parse-text.js';

export type DocumentFormat = 'txt' | 'md' | 'html' | 'pdf' | 'docx' | 'json' | 'csv';

const parsers: Record<DocumentFormat, (bytes: Uint8Array, source: string, context: ParseContext) => ParsedDocument | Promise<ParsedDocument>> = {
  txt: parseText,
  md: parseMarkdown,
  html: parseHtml,
  pdf: parsePdf,
  docx: parseDocx,
  json: parseJson,
  csv: parseCsv,
};

const extensions: Record<string, DocumentFormat> = {
  txt: 'txt', text: 'txt', md: 'md', markdown: 'md', html: 'html', htm: 'html',
  pdf: 'pdf', docx: 'docx', json: 'json', csv: 'csv',
};

const contentTypes: Record<string, DocumentFormat> = {
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/json': 'json',
  'text/csv': 'csv',
};

export const supportedExtensions = Object.keys(extensions).map((extension) => `.${extension}`);

/** The format from the source's extension, else from its content type; undefined when unsupported. */
export function detectFormat(source: string, contentType?: string): DocumentFormat | undefined {
  const path = /^https?:\/\//i.test(source) ? new URL(source).pathname : source;
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  const byExtension = extension ? extensions[extension] : undefined;
  if (byExtension) return byExtension;
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType ? contentTypes[mediaType] : undefined;
}

/**
 * Parses any supported document under `limits`; unsupported, corrupt, empty or over-limit input fails with a
 * DocumentError. Run it where a hostile document cannot stall anything else (infra/ingestion/parse-pool.ts).
 */
export async function parseDocument(input: DocumentInput, limits: DocumentLimits = defaultDocumentLimits): Promise<ParsedDocument> {
  const format = detectFormat(input.source, input.contentType);
  if (!format) {
    throw new DocumentError('unsupported-format', `${input.source}: unsupported format${input.contentType ? ` (${input.contentType})` : ''}; supported: ${supportedExtensions.join(' ')}`);
  }
  const context: ParseContext = { limits, ...(input.contentType ? { contentType: input.contentType } : {}) };
  let document: ParsedDocument;
  try {
    document = await parsers[format](input.bytes, input.source, context);
  } catch (error) {
    // A parser that recurses on its input (marked on nested block quotes) runs out of stack: a nesting limit.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw limitExceeded(input.source, 'nested deeper than the parser can follow', limits.maxNestingDepth, 'INGESTION_MAX_NESTING_DEPTH');
    }
    throw error;
  }
  if (document.text.length > limits.maxTextCharacters) throw limitExceeded(input.source, `${document.text.length} characters of text`, limits.maxTextCharacters, 'INGESTION_MAX_TEXT_CHARACTERS');
  if (!document.text.trim()) throw new DocumentError('empty-document', `${input.source} contains no text`);
  return document;
}
