import { parse } from 'csv-parse/sync';
import { DocumentError, type ParsedDocument } from '../parsed-document.js';
import { decodeText } from './decode-text.js';
import type { ParseContext } from './parse-context.js';
import { titleFromSource } from './title-from-source.js';

/** One line per row, "column: value; column: value", so a chunk of rows still names its columns. */
export function parseCsv(bytes: Uint8Array, source: string, context: ParseContext): ParsedDocument {
  let rows: Record<string, string>[];
  try {
    rows = parse(decodeText(bytes, source, context), { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw new DocumentError('corrupt-document', `${source} is not valid CSV: ${(error as Error).message}`, { cause: error });
  }
  const text = rows
    .map((row) => Object.entries(row).filter(([, value]) => value !== '').map(([column, value]) => `${column}: ${value.replace(/\s+/g, ' ')}`).join('; '))
    .filter(Boolean)
    .join('\n');
  return { title: titleFromSource(source), text, format: 'plain' };
}
