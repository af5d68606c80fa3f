import validator from 'validator';
import type { Detector, Finding } from '../safety-types.js';
import { allMatches, trailingGroupRunStart } from '../text-scan.js';

// Card numbers are written as one block of 13–19 digits or in groups separated by single spaces or dashes,
// and are often followed by more numbers ("4111 1111 1111 1111 12/27"). So the text is split into runs of
// digit groups, and within a run every sequence of whole groups holding 13–19 digits is tried, longest first;
// `validator.isCreditCard` decides (issuer prefix and length, then the Luhn check).
const digitGroupRun = /(?<![\p{L}\p{N}_])\d+(?:[ -]\d+)*/gu;
const digitGroup = /\d+/g;

export function createPaymentCardDetector(): Detector {
  return {
    name: 'payment_card',
    categories: ['payment_card'],
    detect(text: string): Finding[] {
      const findings: Finding[] = [];
      for (const run of allMatches(digitGroupRun, text)) {
        const groups = allMatches(digitGroup, run[0]).map((group) => ({ start: run.index + group.index, end: run.index + group.index + group[0].length, digits: group[0] }));
        let first = 0;
        while (first < groups.length) {
          const last = longestCardFrom(text, groups, first);
          if (last === undefined) {
            first += 1;
            continue;
          }
          findings.push({
            category: 'payment_card',
            start: groups[first]!.start,
            end: groups[last]!.end,
            confidence: 0.97,
            detail: 'payment card number (issuer prefix and Luhn checksum valid)',
          });
          first = last + 1;
        }
      }
      return findings;
    },
    pendingFrom: (text) => trailingGroupRunStart(text, 32),
  };
}

function longestCardFrom(text: string, groups: { start: number; end: number; digits: string }[], first: number): number | undefined {
  let digits = '';
  let last = first;
  while (last < groups.length && digits.length + groups[last]!.digits.length <= 19) digits += groups[last++]!.digits;
  for (let end = last - 1; end >= first && digits.length >= 13; end -= 1) {
    if (!/[\p{L}_]/u.test(text[groups[end]!.end] ?? '') && validator.isCreditCard(digits)) return end;
    digits = digits.slice(0, digits.length - groups[end]!.digits.length);
  }
  return undefined;
}
