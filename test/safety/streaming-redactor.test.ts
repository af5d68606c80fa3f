import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOutputDetectors } from '../../domain/safety/detectors/default-detectors.js';
import { actionableFindings } from '../../domain/safety/policy-engine.js';
import { applyRedactions } from '../../domain/safety/redaction.js';
import { defaultSafetyPolicy, resolveSafetyPolicy } from '../../domain/safety/safety-policy.js';
import { StreamingRedactor } from '../../domain/safety/streaming-redactor.js';

const detectors = createOutputDetectors();
/** PROPERTY_RUNS raises every property's run count for a longer search than CI's. */
const runs = (count: number) => Math.max(count, Number(process.env.PROPERTY_RUNS ?? 0));
const policy = defaultSafetyPolicy.output;

function wholeTextRedaction(text: string): string {
  return applyRedactions(text, actionableFindings(detectors.flatMap((detector) => detector.detect(text)), policy));
}

function streamed(text: string, cuts: number[], redactorPolicy = policy): { text: string; blocked: boolean; chunks: string[] } {
  const redactor = new StreamingRedactor({ detectors, policy: redactorPolicy });
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((left, right) => left - right);
  const chunks: string[] = [];
  let previous = 0;
  for (const point of [...points, text.length]) {
    chunks.push(redactor.push(text.slice(previous, point)).text);
    previous = point;
  }
  const last = redactor.end();
  chunks.push(last.text);
  return { text: chunks.join(''), blocked: redactor.isBlocked, chunks };
}

// Fragments of an answer: ordinary words, punctuation, and personal data of every detected kind (all fake:
// documentation example numbers, test card numbers, reserved IP ranges, placeholder-looking tokens).
const sensitive = [
  'john.doe@example.com', 'ops+alerts@mail.example.org', '+1 415-555-2671', '(415) 555-0199', '+44 20 7946 0958',
  '4111 1111 1111 1111', '5555555555554444', '3782-822463-10005', 'DE89 3704 0044 0532 0130 00', 'GB29NWBK60161331926819',
  '123-45-6789', 'SSN: 234567890', '192.0.2.44', '2001:db8::8a2e:370:7334', 'AKIAIOSFODNN7EXAMPLE',
  'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', 'api_key=Zx9kQ2mP7vL4', 'shit', 'f*cking', 'I will kill you',
  "I'm going to hurt him", 'kill yourself', 'go and die', 'all bankers should be shot', 'kung fu',
];
// Words that begin threat phrases ("I", "go", "all", "you") without finishing one, so the toxicity hold-back
// is exercised on text that only looks like the start of a threat.
const ordinary = ['the', 'answer', 'is', 'call', 'me', 'at', 'card', 'number', 'IBAN', 'on', 'file', '42', '2024-05-01', 'v1.2.3', 'see', '[1]', 'A', 'DE', '555', 'I', 'will', 'go', 'all', 'you', 'should'];
const separator = fc.constantFrom(' ', ' ', ' ', ', ', '. ', '\n', ': ', ' (', ') ');
const fragment = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ordinary) }, { weight: 1, arbitrary: fc.constantFrom(...sensitive) });
const answer = fc.array(fc.tuple(fragment, separator), { minLength: 1, maxLength: 40 }).map((parts) => parts.map(([word, gap]) => word + gap).join(''));

// With toxicity allowed (a tenant's choice), only the personal-data detectors decide what is held back, so
// their own pendingFrom must cover every number that is still being written. These fragments put numbers
// where digit-group heuristics go wrong: right after citation markers, versions, hashes and words, glued to
// the previous token, or with the country code alone at a delta boundary.
const toxicityAllowed = resolveSafetyPolicy({ output: { toxicity: { action: 'allow' } } }).output;
const personalData = [
  '+1 415-555-2671', '(415) 555-0199', '+44 20 7946 0958', '(+44) 20 7946 0958', '+49 30 901820', '+33 1 42 68 53 00',
  '415.555.0123', '4111 1111 1111 1111', '3782-822463-10005', 'DE89 3704 0044 0532 0130 00', 'GB29NWBK60161331926819',
  '123-45-6789', 'SSN: 234567890', '192.0.2.44', 'john.doe@example.com', 'AKIAIOSFODNN7EXAMPLE', 'api_key=Zx9kQ2mP7vL4',
];
/** Pieces of the values above that must never reach the client, each absent from the ordinary words. */
const leakedPieces = ['+1 415', '415-555', '(415', '555-0199', '+44', '7946', '+49', '901820', '+33', '42 68', '555.0123', '4111', '822463', 'DE89', '0130', 'NWBK', '45-6789', '234567890', '192.0.2', 'john.doe', 'AKIA', 'Zx9k'];
const awkwardNeighbours = ['[1]', '[2]', 'v1.2.3', 'v2', 'x86_64', '#12', '(see', 'note)', 'step', '3.', '1)', '2024-05-01', 'A', 'DE', 'answer', 'is', 'shit', 'I will'];
const glue = fc.constantFrom(' ', ' ', ', ', '. ', '\n', ': ', ' (', ') ', '');
/**
 * Fragments are glued only where a bracket or a "+" meets them ("[2]DE89…", "me+44…", "1)(415)…"); glued to
 * letters, digits or dots a value becomes another word ("DE123-45-6789" is no SSN, "3.192.0.2.44" no address).
 */
const awkwardAnswer = fc.array(fc.tuple(fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...awkwardNeighbours) }, { weight: 1, arbitrary: fc.constantFrom(...personalData) }), glue), { minLength: 1, maxLength: 24 })
  .map((parts) => parts.map(([word, gap], index) => {
    const next = parts[index + 1]?.[0] ?? '';
    return word + (gap === '' && !/[\])]$/u.test(word) && !/^[+([]/u.test(next) ? ' ' : gap);
  }).join(''));

function wholeTextRedactionUnder(text: string, stagePolicy: typeof policy): string {
  return applyRedactions(text, actionableFindings(detectors.flatMap((detector) => detector.detect(text)), stagePolicy));
}

describe('StreamingRedactor', () => {
  it('publishes the same text however the stream is split, equal to redacting the whole text', () => {
    fc.assert(
      fc.property(answer, fc.array(fc.nat(), { maxLength: 60 }), (text, cuts) => {
        const expected = wholeTextRedaction(text);
        expect(streamed(text, []).text).toBe(expected);
        expect(streamed(text, cuts).text).toBe(expected);
      }),
      { numRuns: runs(300) },
    );
  });

  it('publishes the same as the whole-text redaction when a swear-word reading straddles two words', () => {
    // Found by the property above: obscenity read "f (k" across "yourself (kill" in the whole text only.
    const text = 'kill yourself (kill yourself (the (';
    expect(streamed(text, [2043606182]).text).toBe(wholeTextRedaction(text));
  });

  it('never publishes a fragment of personal data before the whole of it has been seen', () => {
    fc.assert(
      fc.property(answer, fc.array(fc.nat(), { maxLength: 60 }), (text, cuts) => {
        const { chunks } = streamed(text, cuts);
        const published = chunks.join('');
        for (const value of ['john.doe', '4111 1111', '0532 0130', 'NWBK6016', '45-6789', 'AKIAIOSF', 'ghp_aBcD', '555-2671']) {
          expect(published).not.toContain(value);
        }
      }),
      { numRuns: runs(200) },
    );
  });

  it('with toxicity allowed, never publishes personal data however the stream is split', () => {
    fc.assert(
      fc.property(awkwardAnswer, fc.array(fc.nat(), { maxLength: 60 }), (text, cuts) => {
        const published = streamed(text, cuts, toxicityAllowed).text;
        expect(published).toBe(wholeTextRedactionUnder(text, toxicityAllowed));
        for (const piece of leakedPieces) expect(published).not.toContain(piece);
      }),
      { numRuns: runs(500) },
    );
  });

  it.each([
    ['a country code alone at a delta boundary', ['Call (+44', ') 20 7946 0958 today.'], 'Call [redacted:phone] today.'],
    ['a "+" glued to the word before it', ['Call me+', '44 20 7946 0958.'], 'Call me[redacted:phone].'],
    ['a citation marker before the number', ['Support [1] (415) ', '555-0199 answers.'], 'Support [1] [redacted:phone] answers.'],
    ['a citation marker after the number', ['Support (415) 555-0199 [2] answers.'], 'Support [redacted:phone] [2] answers.'],
    ['a version before an SSN', ['Release v1.2.3 123-45-', '6789 shipped.'], 'Release v1.2.3 [redacted:us_ssn] shipped.'],
    ['a country code while the digit run goes on', ['+1 415-555-2671 3782-822463-10005', ' (415) 555-0199 '], '[redacted:phone] [redacted:payment_card] [redacted:phone] '],
    ['an IBAN glued to a marker', ['Pay [2]DE89 3704 ', '0044 0532 0130 00 now.'], 'Pay [2][redacted:iban] now.'],
  ])('with toxicity allowed, redacts %s', (_, deltas, expected) => {
    const redactor = new StreamingRedactor({ detectors, policy: toxicityAllowed });
    const published = deltas.map((delta) => redactor.push(delta).text);
    published.push(redactor.end().text);
    expect(published.join('')).toBe(expected);
  });

  it('redacts an email split across two deltas before releasing any of it', () => {
    const redactor = new StreamingRedactor({ detectors, policy });
    const first = redactor.push('Write to jane.roe@exa');
    expect('Write to '.startsWith(first.text)).toBe(true);
    const second = redactor.push('mple.com today.');
    const rest = redactor.end();
    expect(first.text + second.text + rest.text).toBe('Write to [redacted:email] today.');
    expect([...second.findings, ...rest.findings].map((finding) => finding.category)).toEqual(['email']);
  });

  it('redacts a card number split across deltas between its digit groups', () => {
    const redactor = new StreamingRedactor({ detectors, policy });
    const parts = ['Card: 4111 1111 ', '1111 1111', ' expires soon'].map((delta) => redactor.push(delta).text);
    parts.push(redactor.end().text);
    expect(parts[0]).not.toMatch(/\d/);
    expect(parts.join('')).toBe('Card: [redacted:payment_card] expires soon');
  });

  it('stops at a blocking category and releases nothing after it', () => {
    const blocking = resolveSafetyPolicy({ output: { secret: { action: 'block' } } }).output;
    const { text, blocked } = streamed('The deploy key is AKIAIOSFODNN7EXAMPLE and the rest of the answer.', [5, 20, 30], blocking);
    expect(blocked).toBe(true);
    expect(text).toBe('The deploy key is ');
  });

  it('holds back no more than the unfinished tail of ordinary prose', () => {
    const redactor = new StreamingRedactor({ detectors, policy });
    const output = redactor.push('Retrieval augmented generation combines search with a language model so that answers ');
    expect(output.text.length).toBeGreaterThan(30);
    expect(redactor.releasedLength).toBe(output.text.length);
  });

  it('holds nothing back when the policy allows every category', () => {
    const allowAll = resolveSafetyPolicy({ output: Object.fromEntries(Object.keys(policy).map((category) => [category, { action: 'allow' }])) }).output;
    const redactor = new StreamingRedactor({ detectors, policy: allowAll });
    expect(['The', ' sky', ' is', ' jane@example.com'].map((delta) => redactor.push(delta).text)).toEqual(['The', ' sky', ' is', ' jane@example.com']);
  });

  it('holds back only an unfinished word or the beginning of a threat phrase, not a fixed number of words', () => {
    const redactor = new StreamingRedactor({ detectors, policy });
    expect(redactor.push('The workflow retries the activity and keeps ').text).toBe('The workflow retries the activity and keeps ');
    expect(redactor.push('going. I am going to ').text).toBe('going. ');
    expect(redactor.push('the shop, so you should ').text).toBe('I am going to the shop, so ');
    expect(redactor.push('die').text).toBe('');
    expect(redactor.push('t. ').text).toBe('you should diet. ');
    expect(redactor.push('Now go and di').text).toBe('Now ');
    expect(redactor.push('e!').text + redactor.end().text).toBe('[redacted:toxicity]!');
  });

  it('bounds what it holds back when a token never ends', () => {
    const redactor = new StreamingRedactor({ detectors, policy, maxHoldChars: 1000 });
    let released = 0;
    for (let index = 0; index < 50; index += 1) released += redactor.push('a'.repeat(100)).text.length;
    expect(released).toBeGreaterThanOrEqual(4000);
  });
});
