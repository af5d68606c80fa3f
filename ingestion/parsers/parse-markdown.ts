import { marked, type Tokens } from 'marked';
import type { ParsedDocument } from '../parsed-document.js';
import { decodeText } from './decode-text.js';
import type { ParseContext } from './parse-context.js';
import { titleFromSource } from './title-from-source.js';

export function parseMarkdown(bytes: Uint8Array, source: string, context: ParseContext): ParsedDocument {
  const text = decodeText(bytes, source, context);
  return { title: firstHeading(text) ?? titleFromSource(source), text, format: 'markdown' };
}

/** The text of the first level-1 heading, if any. */
export function firstHeading(markdown: string): string | undefined {
  const heading = marked.lexer(markdown).find((token): token is Tokens.Heading => token.type === 'heading' && token.depth === 1);
  return heading?.text.trim() || undefined;
}
