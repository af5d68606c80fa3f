import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOutputDetectors } from '../../domain/safety/detectors/default-detectors.js';
import { actionableFindings } from '../../domain/safety/policy-engine.js';
import { applyRedactions } from '../../domain/safety/redaction.js';
import { defaultSafetyPolicy, resolveSafetyPolicy } from '../../domain/safety/safety-policy.js';
import { StreamingRedactor } from '../../domain/safety/streaming-redactor.js';

const detectors = createOutputDetectors();
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
  'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', 'api_key=Zx9kQ2mP7vL4', 'shit', 'I will kill you',
];
const ordinary = ['the', 'answer', 'is', 'call', 'me', 'at', 'card', 'number', 'IBAN', 'on', 'file', '42', '2024-05-01', 'v1.2.3', 'see', '[1]', 'A', 'DE', '555'];
const separator = fc.constantFrom(' ', ' ', ' ', ', ', '. ', '\n', ': ', ' (', ') ');
const fragment = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ordinary) }, { weight: 1, arbitrary: fc.constantFrom(...sensitive) });
const answer = fc.array(fc.tuple(fragment, separator), { minLength: 1, maxLength: 40 }).map((parts) => parts.map(([word, gap]) => word + gap).join(''));

describe('StreamingRedactor', () => {
  it('publishes the same text however the stream is split, equal to redacting the whole text', () => {
    fc.assert(
      fc.property(answer, fc.array(fc.nat(), { maxLength: 60 }), (text, cuts) => {
        const expected = wholeTextRedaction(text);
        expect(streamed(text, []).text).toBe(expected);
        expect(streamed(text, cuts).text).toBe(expected);
      }),
      { numRuns: 300 },
    );
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
      { numRuns: 200 },
    );
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

  it('bounds what it holds back when a token never ends', () => {
    const redactor = new StreamingRedactor({ detectors, policy, maxHoldChars: 1000 });
    let released = 0;
    for (let index = 0; index < 50; index += 1) released += redactor.push('a'.repeat(100)).text.length;
    expect(released).toBeGreaterThanOrEqual(4000);
  });
});
