// Text normalised for phrase matching, with a map back to the original offsets: compatibility forms folded
// (NFKC: full-width letters, ligatures), invisible characters removed (zero-width spaces and joiners, soft
// hyphens, bidi marks: common tricks to hide words from filters), lower case, runs of spaces and tabs
// collapsed. Line breaks are kept because some rules look at line starts.

const invisible = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/u;

export interface NormalizedText {
  text: string;
  /** For each index of `text`, the index in the original it came from; one extra entry for the end. */
  offsets: number[];
}

export function normalizeForMatching(original: string): NormalizedText {
  let text = '';
  const offsets: number[] = [];
  let index = 0;
  for (const character of original) {
    const at = index;
    index += character.length;
    if (invisible.test(character)) continue;
    const folded = character.normalize('NFKC').toLowerCase();
    if (/^[ \t\f\v\u00A0\u2000-\u200A\u3000]$/u.test(folded) || folded === ' ') {
      if (text.endsWith(' ') || text.endsWith('\n')) continue;
      text += ' ';
      offsets.push(at);
      continue;
    }
    if (folded === '\r') continue;
    for (const unit of folded.split('')) {
      text += unit;
      offsets.push(at);
    }
  }
  offsets.push(original.length);
  return { text, offsets };
}

/** The original span covered by normalised indexes [start, end). */
export function originalSpan(normalized: NormalizedText, start: number, end: number): { start: number; end: number } {
  const last = normalized.offsets[Math.max(end - 1, start)] ?? normalized.offsets[normalized.offsets.length - 1]!;
  const endInOriginal = end >= normalized.text.length ? normalized.offsets[normalized.text.length]! : normalized.offsets[end]!;
  return { start: normalized.offsets[start]!, end: Math.max(endInOriginal, last + 1) };
}
