import type { Finding } from './safety-types.js';

/**
 * Drops findings that lie inside a more confident finding of another category: digits inside a validated
 * IBAN are not also a phone number, an email-looking span inside a credential URL is the credential. The
 * enclosing finding is redacted either way; this keeps verdicts, reasons and the evaluation honest.
 */
export function withoutContainedFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((inner) => !findings.some((outer) =>
    outer !== inner && outer.category !== inner.category && outer.confidence > inner.confidence && outer.start <= inner.start && inner.end <= outer.end,
  ));
}
