// Small helpers shared by the detectors: token boundaries and how far back the end of a growing text may
// still belong to an unfinished match.

const whitespace = /\s/u;

export function isWhitespace(character: string | undefined): boolean {
  return character !== undefined && whitespace.test(character);
}

/** Start of the whitespace-delimited token that contains `index` (or `index` itself after whitespace). */
export function tokenStartAt(text: string, index: number): number {
  let start = Math.min(Math.max(index, 0), text.length);
  while (start > 0 && !isWhitespace(text[start - 1])) start -= 1;
  return start;
}

/** Start of the last token when the text does not end in whitespace; `text.length` when it does. */
export function trailingTokenStart(text: string): number {
  return tokenStartAt(text, text.length);
}

/** Start of the last `count` whitespace-delimited words (the partial last one included). */
export function trailingWordsStart(text: string, count: number): number {
  let start = trailingTokenStart(text);
  for (let word = 0; word < count && start > 0; word += 1) {
    let index = start;
    while (index > 0 && isWhitespace(text[index - 1])) index -= 1;
    if (index === 0) return start;
    start = tokenStartAt(text, index);
  }
  return start;
}

/** Every match of a global regular expression, with its index. */
export function allMatches(pattern: RegExp, text: string): RegExpExecArray[] {
  if (!pattern.global) throw new Error(`pattern ${pattern} must be global`);
  pattern.lastIndex = 0;
  const matches: RegExpExecArray[] = [];
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    matches.push(match);
    if (match[0].length === 0) pattern.lastIndex += 1;
  }
  return matches;
}
