import type { ParsedDocument } from '../parsed-document.js';
import { decodeText } from './decode-text.js';
import type { ParseContext } from './parse-context.js';
import { titleFromSource } from './title-from-source.js';

export function parseText(bytes: Uint8Array, source: string, context: ParseContext): ParsedDocument {
  return { title: titleFromSource(source), text: decodeText(bytes, source, context), format: 'plain' };
}
