import validator from 'validator';
import type { Detector, Finding } from '../safety-types.js';
import { allMatches, trailingTokenStart } from '../text-scan.js';

// Candidates are found with a bounded pattern (local part ≤ 64, labels ≤ 63, as RFC 5321 allows) that must
// start at a token boundary and not be the user:password part of a URL (scheme://user:pass@host);
// `validator.isEmail` then decides. The lookahead keeps a sentence's final dot out of the domain.
const candidate = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,8}(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/gu;

const urlUserInfo = /:\/\/[^\s/@]{0,128}:$/;

export function createEmailDetector(): Detector {
  return {
    name: 'email',
    categories: ['email'],
    detect(text: string): Finding[] {
      return allMatches(candidate, text)
        .filter((match) => !urlUserInfo.test(text.slice(Math.max(0, match.index - 160), match.index)) && validator.isEmail(match[0]))
        .map((match) => ({ category: 'email', start: match.index, end: match.index + match[0].length, confidence: 0.95, detail: 'email address' }));
    },
    pendingFrom: trailingTokenStart,
  };
}
