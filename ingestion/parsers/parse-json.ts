import { DocumentError, limitExceeded, type ParsedDocument } from '../parsed-document.js';
import { decodeText } from './decode-text.js';
import type { ParseContext } from './parse-context.js';
import { titleFromSource } from './title-from-source.js';

/**
 * JSON becomes one line per leaf, "path.to.field: value", so every value keeps the names that give it
 * meaning; records of a top-level array are separated by blank lines so the splitter keeps them whole.
 */
export function parseJson(bytes: Uint8Array, source: string, context: ParseContext): ParsedDocument {
  let value: unknown;
  try {
    value = JSON.parse(decodeText(bytes, source, context));
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw new DocumentError('corrupt-document', `${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const depth = nestingDepth(value, context.limits.maxNestingDepth);
  if (depth > context.limits.maxNestingDepth) {
    throw limitExceeded(source, `values nested ${depth}+ levels deep`, context.limits.maxNestingDepth, 'INGESTION_MAX_NESTING_DEPTH');
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

/** Depth of arrays and objects, or the first depth past `limit` found (an explicit stack: leafLines recurses). */
function nestingDepth(root: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    if (Array.isArray(value)) for (const item of value) stack.push([item, depth + 1]);
    else if (isRecord(value)) for (const item of Object.values(value)) stack.push([item, depth + 1]);
  }
  return deepest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
