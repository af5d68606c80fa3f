import { countrySpecs, isValidIBAN } from 'ibantools';
import type { Detector, Finding } from '../safety-types.js';

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
    pendingFrom,
  };
}

const possibleStart = /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}/gu;
const partialStart = /(?<![\p{L}\p{N}])[A-Za-z]{1,2}\d?$/u;
/** The longest IBAN (34 alphanumerics) written in groups of four. */
const longestIban = 42;

/**
 * Where an IBAN that more text could still complete begins: a country code and check digits whose country's
 * length is not yet reached (or reached right at the end, where the next character could still join it and
 * void it), or a trailing "D", "DE", "DE8".
 */
function pendingFrom(text: string): number {
  possibleStart.lastIndex = Math.max(0, text.length - longestIban);
  for (let match = possibleStart.exec(text); match !== null; match = possibleStart.exec(text)) {
    if (couldStillGrow(text, match.index)) return match.index;
  }
  const partial = partialStart.exec(text);
  return partial ? partial.index : text.length;
}

/** Whether `ibanEnd` could still answer differently for `start` once more text arrives. */
function couldStillGrow(text: string, start: number): boolean {
  const length = countrySpecs[text.slice(start, start + 2).toUpperCase()]?.chars;
  if (!length) return false;
  let taken = 0;
  for (let index = start; index < text.length; index += 1) {
    const character = text[index]!;
    if (/[A-Za-z0-9]/.test(character)) {
      taken += 1;
      if (taken > length) return false;
    } else if (taken === length || character !== ' ' || text[index + 1] === ' ') {
      return false;
    }
  }
  return true;
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
