import { NodeHtmlMarkdown } from 'node-html-markdown';
import { parse as parseHtmlTree, type Node as HtmlNode } from 'node-html-parser';
import { defaultDocumentLimits, limitExceeded, type ParsedDocument } from '../parsed-document.js';
import { decodeText, normalizeWhitespace } from './decode-text.js';
import type { ParseContext } from './parse-context.js';
import { firstHeading } from './parse-markdown.js';
import { titleFromSource } from './title-from-source.js';

const converter = new NodeHtmlMarkdown({ ignore: ['script', 'style', 'noscript', 'nav', 'footer', 'template'] });

/** HTML becomes Markdown, so headings survive into the chunks' heading paths. */
export function parseHtml(bytes: Uint8Array, source: string, context: ParseContext): ParsedDocument {
  return htmlToDocument(decodeText(bytes, source, { ...context, html: true }), source, context);
}

/**
 * node-html-parser builds the tree without recursion; the Markdown conversion recurses, so a tree deeper than
 * INGESTION_MAX_NESTING_DEPTH (measured without recursion) is refused before it is converted.
 */
export function htmlToDocument(html: string, source: string, context: ParseContext = { limits: defaultDocumentLimits }, title?: string): ParsedDocument {
  const tree = parseHtmlTree(html);
  const depth = nestingDepth(tree, context.limits.maxNestingDepth);
  if (depth > context.limits.maxNestingDepth) throw limitExceeded(source, `elements nested ${depth}+ levels deep`, context.limits.maxNestingDepth, 'INGESTION_MAX_NESTING_DEPTH');
  const body = tree.querySelector('body');
  const text = normalizeWhitespace(converter.translate(body ? body.innerHTML : html));
  const documentTitle = title || tree.querySelector('title')?.textContent.trim() || firstHeading(text) || titleFromSource(source);
  return { title: documentTitle, text, format: 'markdown' };
}

/** The tree's depth, or the first depth past `limit` found (an explicit stack, no recursion). */
function nestingDepth(root: HtmlNode, limit: number): number {
  let deepest = 0;
  const stack: [HtmlNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of node.childNodes) stack.push([child, depth + 1]);
  }
  return deepest;
}
