// Citation markers in an answer: "[3]" or a list "[1, 4]". Every number must name one of the numbered
// sources (1..n) the answer was generated from. Markdown links ("[1](https://…)") are not markers.
// Source lines: a line that only restates a source, "[1] name" or "[1] name: #12, #15, …" (a marker, a
// name, and fewer than three words after it), echoes the prompt's source list instead of answering. The
// client already received the sources, so such lines are removed from the answer; one whose name is not
// the name of source n (or whose n names no source) is counted as an invented citation.

const marker = /\[(\d{1,4}(?:\s*,\s*\d{1,4})*)\](?!\()/g;
const sourceLine = /^\s*(?:[-*•]\s*)?\[(\d{1,4})\](?!\()\s*([^:\n]*?)\s*(?::(.*))?$/;

/** The names a numbered source may be called by: a document's title and source, a tool's name. */
export interface NumberedSource {
  names: readonly string[];
}

export interface CitationCheck {
  valid: boolean;
  /** Distinct source numbers cited, in order of first appearance. */
  cited: number[];
  /** Cited numbers with no source behind them. */
  unknown: number[];
  /** Source lines found (1-based numbers as written), and those naming no retrieved source. */
  sourceLines: number;
  inventedSourceLines: number;
  /** The answer without its source lines; equal to the answer when it has none. */
  answer: string;
  reasons: string[];
}

/** Checks an answer against its numbered sources (or, for markers only, their count). */
export function checkCitations(answer: string, sources: number | readonly NumberedSource[]): CitationCheck {
  const sourceCount = typeof sources === 'number' ? sources : sources.length;
  const cited: number[] = [];
  for (const match of answer.matchAll(marker)) {
    for (const part of match[1]!.split(',')) {
      const number = Number(part.trim());
      if (!cited.includes(number)) cited.push(number);
    }
  }
  const unknown = cited.filter((number) => number < 1 || number > sourceCount);
  const reasons = unknown.length === 0 ? [] : [`answer cites ${unknown.map((number) => `[${number}]`).join(', ')} but only ${sourceCount} source(s) exist`];

  let sourceLines = 0;
  let inventedSourceLines = 0;
  const kept = answer.split('\n').filter((line) => {
    const match = sourceLine.exec(line);
    if (!match) return true;
    const [, number, name, rest] = match as unknown as [string, string, string, string | undefined];
    const source = typeof sources === 'number' ? undefined : sources[Number(number) - 1];
    const names = (written: string) => source?.names.some((known) => sameName(known, written)) ?? false;
    // "[1]: name" names the source after the colon; a bare "[1]" closes a paragraph and is a citation.
    const named = name || (rest ?? '').trim();
    if (!named) return true;
    const restates = name && rest !== undefined ? words(rest) < 3 : names(named) || words(named) < 3;
    if (!restates) return true;
    sourceLines += 1;
    if (!names(named)) inventedSourceLines += 1;
    return false;
  });
  if (sourceLines > 0) {
    reasons.push(`removed ${sourceLines} line(s) restating the source list${inventedSourceLines > 0 ? `, ${inventedSourceLines} naming no retrieved source` : ''}`);
  }
  const stripped = sourceLines > 0 ? kept.join('\n').replace(/\n{3,}/g, '\n\n').trim() : answer;
  return { valid: unknown.length === 0 && inventedSourceLines === 0, cited, unknown, sourceLines, inventedSourceLines, answer: stripped, reasons };
}

/** Whitespace-separated tokens with a letter: a file name or slug is one word, "#12, #15" none. */
function words(text: string): number {
  return text.split(/\s+/).filter((token) => /\p{L}/u.test(token)).length;
}

/** Names compare without case, punctuation, a path or a file extension: "Orbitra Setup" = ".../orbitra-setup.html". */
function sameName(known: string, written: string): boolean {
  const normal = (name: string) => name.toLowerCase().replace(/^.*\//, '').replace(/\.[a-z0-9]{1,5}$/, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const writtenName = normal(written);
  return writtenName.length > 0 && normal(known) === writtenName;
}
