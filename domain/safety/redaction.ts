import type { Finding, SafetyCategory } from './safety-types.js';

export function placeholderFor(category: SafetyCategory): string {
  return `[redacted:${category}]`;
}

export interface RedactionSpan {
  start: number;
  end: number;
  category: SafetyCategory;
}

/**
 * Overlapping or touching findings become one span, labelled with the category of the finding that starts
 * first (the longest when two start together), so "4111 1111 1111 1111" found as a card and as a phone number
 * is replaced once.
 */
export function mergeSpans(findings: readonly Finding[]): RedactionSpan[] {
  const sorted = [...findings].sort((left, right) => left.start - right.start || right.end - left.end);
  const spans: RedactionSpan[] = [];
  for (const finding of sorted) {
    const last = spans[spans.length - 1];
    if (last && finding.start < last.end) last.end = Math.max(last.end, finding.end);
    else spans.push({ start: finding.start, end: finding.end, category: finding.category });
  }
  return spans;
}

/** `text` with every finding replaced by its placeholder. Finding offsets are relative to `text`. */
export function applyRedactions(text: string, findings: readonly Finding[]): string {
  let result = '';
  let cursor = 0;
  for (const span of mergeSpans(findings)) {
    result += text.slice(cursor, span.start) + placeholderFor(span.category);
    cursor = span.end;
  }
  return result + text.slice(cursor);
}
