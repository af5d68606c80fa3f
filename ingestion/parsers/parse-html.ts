import { NodeHtmlMarkdown } from 'node-html-markdown';
import { parse as parseHtmlTree } from 'node-html-parser';
import type { ParsedDocument } from '../parsed-document.js';
import { decodeText, normalizeWhitespace } from './decode-text.js';
import { firstHeading } from './parse-markdown.js';
import { titleFromSource } from './title-from-source.js';

const converter = new NodeHtmlMarkdown({ ignore: ['script', 'style', 'noscript', 'nav', 'footer', 'template'] });

/** HTML becomes Markdown, so headings survive into the chunks' heading paths. */
export function parseHtml(bytes: Uint8Array, source: string): ParsedDocument {
  return htmlToDocument(decodeText(bytes, source), source);
}

export function htmlToDocument(html: string, source: string, title?: string): ParsedDocument {
  const tree = parseHtmlTree(html);
  const body = tree.querySelector('body');
  const text = normalizeWhitespace(converter.translate(body ? body.innerHTML : html));
  const documentTitle = title || tree.querySelector('title')?.textContent.trim() || firstHeading(text) || titleFromSource(source);
  return { title: documentTitle, text, format: 'markdown' };
}
