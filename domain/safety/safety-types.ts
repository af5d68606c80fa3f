// Shared vocabulary of the safety filters. This file imports nothing, so workflow code may use its types.

export const safetyCategories = [
  'email',
  'phone',
  'payment_card',
  'iban',
  'us_ssn',
  'ip_address',
  'secret',
  'prompt_injection',
  'toxicity',
] as const;

export type SafetyCategory = (typeof safetyCategories)[number];

/** Categories whose findings are structured personal or secret data with a checkable format. */
export const structuredCategories: readonly SafetyCategory[] = [
  'email',
  'phone',
  'payment_card',
  'iban',
  'us_ssn',
  'ip_address',
  'secret',
];

/**
 * One thing a detector found. Offsets are UTF-16 code unit indexes into the checked text (end exclusive).
 * `detail` describes what matched without repeating it, so a finding can be logged or recorded in workflow
 * history without leaking the personal data it is about.
 */
export interface Finding {
  category: SafetyCategory;
  start: number;
  end: number;
  /** 0..1: how sure the detector is. Validated formats (Luhn, mod-97) are near 1; heuristics lower. */
  confidence: number;
  detail: string;
}

export interface Detector {
  readonly name: string;
  readonly categories: readonly SafetyCategory[];
  /** Everything this detector finds in `text`. Synchronous and linear in the text length. */
  detect(text: string): Finding[];
  /**
   * The smallest index from which the end of `text` could still grow into (or extend) a finding once more
   * text is appended; `text.length` when nothing at the end is incomplete. Streaming uses it to hold text back.
   */
  pendingFrom(text: string): number;
}

export type PolicyAction = 'allow' | 'redact' | 'block';

/** What a check that did not finish in time means for a category: let the text through, or stop it. */
export type TimeoutBehaviour = 'fail_open' | 'fail_closed';

export interface SafetyVerdict {
  action: PolicyAction;
  /** Findings that the policy acted on (allowed categories are left out). */
  findings: Finding[];
  /** The text with every finding of a `redact` category replaced by a placeholder. */
  redactedText: string;
  /** Human-readable reasons, free of the matched text, suitable for workflow history and the Temporal UI. */
  reasons: string[];
  /** Categories whose check did not complete before the deadline. */
  timedOut: SafetyCategory[];
}
