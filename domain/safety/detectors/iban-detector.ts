import { countrySpecs, isValidIBAN } from 'ibantools';
import type { Detector, Finding } from '../safety-types.js';
import { trailingGroupRunStart } from '../text-scan.js';

// A country code, two check digits, then alphanumerics, optionally in groups separated by single spaces.
// The pattern is deliberately generous (it may run into the following words); each candidate is cut to the
// length the country's IBAN format prescribes and then validated by ibantools (format and mod-97 checksum);
// scanning resumes right after a valid IBAN, so a following one is not swallowed by the generous pattern.
const candidate = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,32}/giu;

export function createIbanDetector(): Detector {
  return {
    name: 'iban',
    categories: ['iban'],
    detect(text: string): Finding[] {
      const findings: Finding[] = [];
      candidate.lastIndex = 0;
      for (let match = candidate.exec(text); match !== null; match = candidate.exec(text)) {
        const end = ibanEnd(text, match.index);
        const electronic = end === undefined ? '' : text.slice(match.index, end).replace(/ /g, '').toUpperCase();
        if (end === undefined || !isValidIBAN(electronic)) {
          candidate.lastIndex = match.index + 1;
          continue;
        }
        findings.push({ category: 'iban', start: match.index, end, confidence: 0.98, detail: `IBAN (${electronic.slice(0, 2)}, mod-97 checksum valid)` });
        candidate.lastIndex = end;
      }
      return findings;
    },
    pendingFrom: (text) => trailingGroupRunStart(text, 48),
  };
}

/** Where an IBAN starting at `start` ends, taking exactly its country's length of alphanumerics. */
function ibanEnd(text: string, start: number): number | undefined {
  const length = countrySpecs[text.slice(start, start + 2).toUpperCase()]?.chars;
  if (!length) return undefined;
  let taken = 0;
  let index = start;
  while (taken < length && index < text.length) {
    const character = text[index]!;
    if (/[A-Za-z0-9]/.test(character)) taken += 1;
    else if (character !== ' ' || text[index + 1] === ' ') return undefined;
    index += 1;
  }
  if (taken < length || /[\p{L}\p{N}]/u.test(text[index] ?? '')) return undefined;
  return index;
}
