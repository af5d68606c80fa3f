import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import type { Detector, Finding } from '../safety-types.js';
import { allMatches, tokenStartAt, trailingWordsStart } from '../text-scan.js';

// Profanity and slurs come from `obscenity`, whose English dataset and transformers handle obfuscation
// ("f*ck", "b1tch") and whitelist innocent words that contain bad ones ("Scunthorpe", "assassin").
// A word list cannot see intent, so threats and incitement to self-harm, which need no bad word, are
// matched by the hand-written phrase patterns below; they are the more serious signal.
const threatPatterns: RegExp[] = [
  /\b(?:i(?:'m| am)? (?:going to|gonna|will|shall|'ll)|i'll|we(?:'re| are)? (?:going to|gonna|will)|we'll)\s+(?:fucking\s+)?(?:kill|murder|hurt|rape|shoot|stab|strangle|beat|find and kill|bomb|burn)\s+(?:you|u|him|her|them|your)\b/giu,
  /\b(?:kill|hang|shoot) (?:yo)?urself\b|\bkys\b|\bgo (?:and )?die\b|\b(?:you|u) (?:should|deserve to|ought to) (?:die|be killed|be shot)\b/giu,
  /\b(?:all|every|those)\s+[\p{L}-]{3,20}\s+(?:should|must|deserve to)\s+(?:die|be (?:killed|exterminated|wiped out|gassed|shot))\b/giu,
];

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
      for (const pattern of threatPatterns) {
        for (const match of allMatches(pattern, text)) {
          findings.push({ category: 'toxicity', start: match.index, end: match.index + match[0].length, confidence: 0.9, detail: 'threat or incitement to violence' });
        }
      }
      const seen = new Set<number>();
      for (const match of matcher.getAllMatches(text, true)) {
        const start = wordStart(text, match.startIndex);
        if (seen.has(start)) continue;
        seen.add(start);
        // obscenity's end index is inclusive; the finding covers the whole word ("f*cking", not "f*ck").
        findings.push({ category: 'toxicity', start, end: wordEnd(text, match.endIndex + 1), confidence: 0.65, detail: 'profanity or slur' });
      }
      return findings;
    },
    pendingFrom: (text) => trailingWordsStart(text, 6),
  };
}
