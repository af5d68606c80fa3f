import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';
import type { Detector, Finding } from '../safety-types.js';
import { allMatches } from '../text-scan.js';

export interface PhoneDetectorOptions {
  /** Country used for numbers written without an international prefix (a tenant setting). */
  defaultCountry?: CountryCode;
}

// libphonenumber decides what a phone number is (numbering plans per country, not a regex), but given a whole
// text it also reads digits that belong to something else: the "1" of a citation marker "[1] (415) 555-0199"
// becomes a country code, the "3" of "v1.2.3 415-555-0199" a trunk prefix, and "(415) 555-0199 [2]" is missed
// because of the marker behind it. So the text is first cut into candidate runs (digits, spaces, ( ) + - . /)
// that start where a number can start: a "+" or "(" (not a second one), or a digit not
// glued to a word, number, version or marker ("v1.2", "x86_64", "#12", "[1"). Within a run, libphonenumber is asked
// about stretches from such a start to the end of a group of digits (numbersInRun).
// The same start rule tells the streaming filter where an unfinished number may begin (pendingFrom).
const opener = String.raw`(?:(?<![+_])\+|(?<![_+(])\()[+(]*`;
const runStart = String.raw`(?:${opener}(?=\d)|(?<![\p{L}\p{N}_.,+(\-/\[#])\d)`;
const candidateRun = new RegExp(String.raw`${runStart}[\d \t\u00A0().\-/+]*`, 'gu');
/** A run (or a lone "+" or "(") still open at the end of the text: more text may extend it into a number. */
const openRun = new RegExp(String.raw`(?:${runStart}[\d \t\u00A0().\-/+]*|${opener})$`, 'gu');
/** Longest stretch of a run that can belong to one number ("+44 (0) 20 7946 0958" is 20 characters). */
const longestNumber = 32;

// No numbering plan has numbers of fewer than seven digits with a prefix, so runs without seven digits are
// skipped before the comparatively slow parser runs.
const enoughDigits = /(?:\d\D*){7}/u;

/** Phone numbers as libphonenumber finds and validates them, one candidate run at a time. */
export function createPhoneDetector(options: PhoneDetectorOptions = {}): Detector {
  const defaultCountry = options.defaultCountry ?? 'US';
  return {
    name: 'phone',
    categories: ['phone'],
    detect(text: string): Finding[] {
      const findings: Finding[] = [];
      for (const run of allMatches(candidateRun, text)) {
        if (!enoughDigits.test(run[0])) continue;
        for (const found of numbersInRun(text, run.index, run.index + run[0].length, defaultCountry)) {
          findings.push({ category: 'phone', start: found.start, end: found.end, confidence: 0.85, detail: `phone number (${found.country})` });
        }
      }
      return findings;
    },
    pendingFrom(text: string): number {
      // Only the last stretch can hold an unfinished number; the search starts there (the look-behind
      // still sees the characters before it).
      openRun.lastIndex = Math.max(0, text.length - longestNumber * 4);
      const open = openRun.exec(text);
      return open ? Math.max(open.index, text.length - longestNumber) : text.length;
    },
  };
}

const startsInRun = new RegExp(runStart, 'gu');

/** E.164 allows 15 digits; a stretch with more (a card number, a table row) is not one number. */
const mostDigits = 15;

interface FoundNumber { start: number; end: number; country: string }

/**
 * Recent answers of libphonenumber (about 50 µs a call). The streaming filter scans a held-back number again
 * on every delta until it is complete, so the same stretches come back many times.
 */
const recentAnswers = new Map<string, FoundNumber[]>();
const rememberedAnswers = 512;

/** libphonenumber's valid numbers in text[offset, end), with offsets into `text`. */
function validNumbers(text: string, offset: number, end: number, defaultCountry: CountryCode): FoundNumber[] {
  const candidate = text.slice(offset, end);
  const key = `${defaultCountry} ${candidate}`;
  let answer = recentAnswers.get(key);
  if (!answer) {
    answer = findPhoneNumbersInText(candidate, { defaultCountry })
      .filter((found) => found.number.isValid())
      .map((found) => ({ start: found.startsAt, end: found.endsAt, country: found.number.country ?? 'international' }));
    if (recentAnswers.size >= rememberedAnswers) recentAnswers.delete(recentAnswers.keys().next().value!);
    recentAnswers.set(key, answer);
  }
  return answer.map((found) => ({ ...found, start: offset + found.start, end: offset + found.end }));
}

/**
 * Valid numbers in a run. libphonenumber is first asked about the whole run, and its answers are kept where
 * they begin at a place a number can start and end where a group of digits ends. Every other start is then
 * searched for the longest stretch (at most `longestNumber` characters, ending after a
 * digit or ")") that libphonenumber accepts whole: "+44 20 7946 0958 3" is the number and a stray "3", and
 * "1)(415) 555-0199" a list marker and the number, which libphonenumber, given the whole run, misses.
 */
function numbersInRun(text: string, runStart: number, runEnd: number, defaultCountry: CountryCode): FoundNumber[] {
  const starts = new Set<number>();
  startsInRun.lastIndex = runStart;
  for (let match = startsInRun.exec(text); match !== null && match.index < runEnd; match = startsInRun.exec(text)) starts.add(match.index);
  // A stretch ends after a digit or ")" that no digit follows, directly or through one of . - / ("415.555"
  // and "555-0199" are never cut).
  const ends: number[] = [];
  for (let index = runStart + 1; index <= runEnd; index += 1) {
    if (/[\d)]/.test(text[index - 1]!) && !/^(?:\d|[.\-/]\d)/.test(text.slice(index, index + 2))) ends.push(index);
  }
  const startsAt = (found: FoundNumber) => [...starts].some((start) => start <= found.start && /^[(+]*$/.test(text.slice(start, found.start)));
  const endsAt = (found: FoundNumber) => ends.some((end) => end >= found.end && /^\)*$/.test(text.slice(found.end, end)));
  const numbers = validNumbers(text, runStart, runEnd, defaultCountry).filter((found) => startsAt(found) && endsAt(found));
  const searched: FoundNumber[] = [];
  let covered = runStart;
  for (const start of [...starts].sort((left, right) => left - right)) {
    if (start < covered || numbers.some((found) => found.start <= start && start < found.end)) continue;
    const limit = Math.min(start + longestNumber, runEnd);
    for (const end of ends.filter((end) => end > start && end <= limit).reverse()) {
      const digits = text.slice(start, end).replace(/\D/g, '').length;
      if (digits < 7) break;
      if (digits > mostDigits) continue;
      const found = validNumbers(text, start, end, defaultCountry).find((number) => /^[(+]*$/.test(text.slice(start, number.start)) && /^\)*$/.test(text.slice(number.end, end)));
      if (!found) continue;
      searched.push(found);
      covered = found.end;
      break;
    }
  }
  return firstOfOverlapping([...numbers, ...searched]);
}

/**
 * Where two readings overlap, the one that starts first wins (the longer on a tie): given "+1 415-555-2671"
 * followed by more digits, libphonenumber may read the whole run as "415-555-2671" alone, while the search
 * from the "+" finds the number with its country code, which is also what it finds when the text stops there.
 */
function firstOfOverlapping(found: FoundNumber[]): FoundNumber[] {
  const kept: FoundNumber[] = [];
  for (const number of found.sort((left, right) => left.start - right.start || right.end - left.end)) {
    if (kept.length === 0 || number.start >= kept[kept.length - 1]!.end) kept.push(number);
  }
  return kept;
}
