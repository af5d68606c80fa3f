import { extractText, getDocumentProxy, getMeta } from 'unpdf';
import { DocumentError, limitExceeded, type ParsedDocument } from '../parsed-document.js';
import { normalizeWhitespace } from './decode-text.js';
import type { ParseContext } from './parse-context.js';
import { titleFromSource } from './title-from-source.js';

/** Text of every page, pages separated by a blank line; the title from the PDF's metadata when it has one. */
export async function parsePdf(bytes: Uint8Array, source: string, context: ParseContext): Promise<ParsedDocument> {
  try {
    // pdf.js takes ownership of the buffer it is given, so it gets a copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    try {
      if (pdf.numPages > context.limits.maxPdfPages) throw limitExceeded(source, `${pdf.numPages} pages`, context.limits.maxPdfPages, 'INGESTION_MAX_PDF_PAGES');
      const [{ text: pages }, meta] = await Promise.all([extractText(pdf, { mergePages: false }), getMeta(pdf)]);
      const title = typeof meta.info.Title === 'string' && meta.info.Title.trim() ? meta.info.Title.trim() : titleFromSource(source);
      return { title, text: normalizeWhitespace(pages.map((page) => page.trim()).join('\n\n')), format: 'plain' };
    } finally {
      await pdf.destroy();
    }
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw new DocumentError('corrupt-document', `${source} is not a readable PDF: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
