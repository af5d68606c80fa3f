import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import type { Detector, Finding } from '../safety-types.js';
import { tokenStartAt, trailingTokenStart } from '../text-scan.js';
import { findThreatPhrases, threatPhrasePendingFrom } from './threat-phrases.js';

// Profanity and slurs come from `obscenity`, whose English dataset and transformers handle obfuscation
// ("f*ck", "b1tch") and whitelist innocent words that contain bad ones ("Scunthorpe", "assassin"). Its
// transformers skip non-letters, so a match can straddle words ("kill yourself (kill" reads "f (k" as a short
// form of a swear word); such matches are dropped, so that a term never spans whitespace and an unfinished one
// is always inside the last, partial word (what streaming relies on). A word list cannot see
// intent: threats and incitement to self-harm are matched as phrases (threat-phrases.ts), the more serious
// signal; an unfinished phrase is the longest run of trailing words that can still grow into one.
const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const wordCharacter = /[\p{L}\p{N}*@$!_'-]/u;

function wordEnd(text: string, index: number): number {
  let end = index;
  while (end < text.length && wordCharacter.test(text[end]!)) end += 1;
  return end;
}

function wordStart(text: string, index: number): number {
  let start = index;
  while (start > 0 && wordCharacter.test(text[start - 1]!)) start -= 1;
  return Math.max(start, tokenStartAt(text, index));
}

export function createToxicityDetector(): Detector {
  return {
    name: 'toxicity',
    categories: ['toxicity'],
    detect(text: string): Finding[] {
      const findings: Finding[] = [];
      for (const span of findThreatPhrases(text)) {
        findings.push({ category: 'toxicity', ...span, confidence: 0.9, detail: 'threat or incitement to violence' });
      }
      const seen = new Set<number>();
      for (const match of matcher.getAllMatches(text, true)) {
        if (/\s/u.test(text.slice(match.startIndex, match.endIndex + 1))) continue;
        const start = wordStart(text, match.startIndex);
        if (seen.has(start)) continue;
        seen.add(start);
        // obscenity's end index is inclusive; the finding covers the whole word ("f*cking", not "f*ck").
        findings.push({ category: 'toxicity', start, end: wordEnd(text, match.endIndex + 1), confidence: 0.65, detail: 'profanity or slur' });
      }
      return findings;
    },
    pendingFrom: (text) => Math.min(trailingTokenStart(text), threatPhrasePendingFrom(text)),
  };
}
