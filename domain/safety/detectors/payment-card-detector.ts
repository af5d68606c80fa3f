import validator from 'validator';
import type { Detector, Finding } from '../safety-types.js';
import { allMatches } from '../text-scan.js';

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
    pendingFrom,
  };
}

const openGroupRun = /(?<![\p{L}\p{N}_])\d+(?:[ -]\d+)*[ -]?$/u;
const longestCard = 19;

/**
 * A card may still begin at any digit group of the run of groups the text ends in whose digits up to the end
 * number at most 19 (a longer card is impossible, so earlier groups are decided). The earliest such group
 * is held back.
 */
function pendingFrom(text: string): number {
  const run = openGroupRun.exec(text.slice(-64));
  if (!run) return text.length;
  const runStart = text.length - Math.min(text.length, 64) + run.index;
  let digitsToEnd = 0;
  let start = text.length;
  for (let index = text.length - 1; index >= runStart; index -= 1) {
    if (!/\d/.test(text[index]!)) continue;
    digitsToEnd += 1;
    if (digitsToEnd > longestCard) break;
    if (index === runStart || !/\d/.test(text[index - 1]!)) start = index;
  }
  return start;
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
