import mammoth from 'mammoth';
import { DocumentError, type ParsedDocument } from '../parsed-document.js';
import { htmlToDocument } from './parse-html.js';

/** Word documents go through HTML to Markdown, keeping headings, lists and tables. */
export async function parseDocx(bytes: Uint8Array, source: string): Promise<ParsedDocument> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes) })).value;
  } catch (error) {
    throw new DocumentError('corrupt-document', `${source} is not a readable .docx file: ${messageOf(error)}`, { cause: error });
  }
  return htmlToDocument(html, source);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
