import validator from 'validator';
import type { Detector, Finding } from '../safety-types.js';
import { allMatches, trailingGroupRunStart } from '../text-scan.js';

// 13 to 19 digits, optionally grouped with single spaces or dashes, not part of a longer number. Whether a
// candidate is a card is left to `validator.isCreditCard`: issuer prefixes and lengths, then the Luhn check.
const candidate = /(?<![\p{L}\p{N}_.,-])\d(?:[ -]?\d){12,18}(?![\p{L}\p{N}_]|[ -.,]\d)/gu;

export function createPaymentCardDetector(): Detector {
  return {
    name: 'payment_card',
    categories: ['payment_card'],
    detect(text: string): Finding[] {
      return allMatches(candidate, text)
        .filter((match) => validator.isCreditCard(match[0].replace(/[ -]/g, '')))
        .map((match) => ({
          category: 'payment_card',
          start: match.index,
          end: match.index + match[0].length,
          confidence: 0.97,
          detail: 'payment card number (issuer prefix and Luhn checksum valid)',
        }));
    },
    pendingFrom: (text) => trailingGroupRunStart(text, 32),
  };
}
