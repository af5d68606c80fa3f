// Answers as Markdown, sanitised: marked renders, DOMPurify strips anything active (scripts, handlers, URLs
// with other schemes), and bracketed numbers that name a citation become links to the sources panel.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: false, async: false });

export function renderAnswer(markdown: string, citationCount: number): string {
  const html = marked.parse(markdown) as string;
  const clean = DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'img'] });
  if (citationCount === 0) return clean;
  // Markers outside tags only: [2] or [1, 3] or [1][2].
  return clean.replace(/(>[^<]*)/g, (text) => text.replace(/\[(\d{1,2}(?:\s*,\s*\d{1,2})*)\]/g, (whole, list: string) => {
    const numbers = list.split(',').map((part) => Number(part.trim()));
    if (!numbers.every((number) => number >= 1 && number <= citationCount)) return whole;
    return numbers.map((number) => `<a href="#source-${number}" class="cite" data-cite="${number}" aria-label="Source ${number}">[${number}]</a>`).join('');
  }));
}
