import { marked } from 'marked';

export interface Section {
  /** Offset of the section in the document text. */
  start: number;
  text: string;
  headingPath: string[];
}

/**
 * Cuts Markdown at its headings (found by the marked lexer, so "#" inside code blocks is not a heading).
 * Each section starts with its heading line and knows the path of headings above it.
 */
export function markdownSections(markdown: string): Section[] {
  const boundaries: { start: number; depth: number; title: string }[] = [];
  let cursor = 0;
  for (const token of marked.lexer(markdown)) {
    const at = locate(markdown, token.raw, cursor);
    if (at < 0) continue;
    cursor = at + token.raw.length;
    if (token.type === 'heading') boundaries.push({ start: at, depth: token.depth as number, title: plainHeading(token.text as string) });
  }

  const sections: Section[] = [];
  const path: { depth: number; title: string }[] = [];
  const firstStart = boundaries[0]?.start ?? markdown.length;
  if (firstStart > 0) sections.push({ start: 0, text: markdown.slice(0, firstStart), headingPath: [] });
  boundaries.forEach((boundary, index) => {
    while (path.length > 0 && path[path.length - 1]!.depth >= boundary.depth) path.pop();
    path.push(boundary);
    const end = boundaries[index + 1]?.start ?? markdown.length;
    sections.push({ start: boundary.start, text: markdown.slice(boundary.start, end), headingPath: path.map((entry) => entry.title) });
  });
  return sections;
}

function locate(text: string, raw: string, from: number): number {
  const exact = text.indexOf(raw, from);
  if (exact >= 0) return exact;
  const firstLine = raw.split('\n', 1)[0] ?? '';
  return firstLine.trim() ? text.indexOf(firstLine, from) : -1;
}

function plainHeading(text: string): string {
  return text.replace(/[*_`~]|\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\s+/g, ' ').trim();
}
