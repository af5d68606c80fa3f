import { DocumentError, type ParsedDocument } from '../parsed-document.js';
import { decodeText } from './decode-text.js';
import { titleFromSource } from './title-from-source.js';

/**
 * JSON becomes one line per leaf, "path.to.field: value", so every value keeps the names that give it
 * meaning; records of a top-level array are separated by blank lines so the splitter keeps them whole.
 */
export function parseJson(bytes: Uint8Array, source: string): ParsedDocument {
  let value: unknown;
  try {
    value = JSON.parse(decodeText(bytes, source));
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw new DocumentError('corrupt-document', `${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const records = Array.isArray(value) ? value : [value];
  const text = records.map((record, index) => leafLines(record, Array.isArray(value) ? `[${index}]` : '').join('\n')).join('\n\n');
  const title = !Array.isArray(value) && isRecord(value) && typeof value.title === 'string' ? value.title : titleFromSource(source);
  return { title, text: text.trim(), format: 'plain' };
}

function leafLines(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => leafLines(item, `${path}[${index}]`));
  if (isRecord(value)) return Object.entries(value).flatMap(([key, item]) => leafLines(item, path ? `${path}.${key}` : key));
  const rendered = typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : JSON.stringify(value);
  return [path ? `${path}: ${rendered}` : rendered];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
