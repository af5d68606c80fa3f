// Citation markers in an answer: "[3]" or a list "[1, 4]". Every number must name one of the numbered
// sources (1..sourceCount) the answer was generated from. Markdown links ("[1](https://…)") are not markers.

const marker = /\[(\d{1,4}(?:\s*,\s*\d{1,4})*)\](?!\()/g;

export interface CitationCheck {
  valid: boolean;
  /** Distinct source numbers cited, in order of first appearance. */
  cited: number[];
  /** Cited numbers with no source behind them. */
  unknown: number[];
  reasons: string[];
}

export function checkCitations(answer: string, sourceCount: number): CitationCheck {
  const cited: number[] = [];
  for (const match of answer.matchAll(marker)) {
    for (const part of match[1]!.split(',')) {
      const number = Number(part.trim());
      if (!cited.includes(number)) cited.push(number);
    }
  }
  const unknown = cited.filter((number) => number < 1 || number > sourceCount);
  const reasons = unknown.length === 0 ? [] : [`answer cites ${unknown.map((number) => `[${number}]`).join(', ')} but only ${sourceCount} source(s) exist`];
  return { valid: unknown.length === 0, cited, unknown, reasons };
}
