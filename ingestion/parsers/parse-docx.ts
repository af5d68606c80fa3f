import mammoth from 'mammoth';
import { DocumentError, type ParsedDocument } from '../parsed-document.js';
import { inflateZipBounded, storedZip } from './bounded-zip.js';
import type { ParseContext } from './parse-context.js';
import { htmlToDocument } from './parse-html.js';

/**
 * Word documents go through HTML to Markdown, keeping headings, lists and tables. The archive is inflated
 * under the extraction budget first; mammoth reads the inflated entries re-packed uncompressed.
 */
export async function parseDocx(bytes: Uint8Array, source: string, context: ParseContext): Promise<ParsedDocument> {
  const stored = await storedZip(await inflateZipBounded(bytes, source, context.limits));
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: stored })).value;
  } catch (error) {
    throw new DocumentError('corrupt-document', `${source} is not a readable .docx file: ${messageOf(error)}`, { cause: error });
  }
  return htmlToDocument(html, source, context);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
