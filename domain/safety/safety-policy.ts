// Per-tenant safety policy: for each stage (the user's input, untrusted text such as retrieved chunks and
// tool results, and the model's output) and each category, what to do with a finding and what a check that
// timed out means. Tenants store overrides as JSON; `resolveSafetyPolicy` validates them onto the defaults.
import { z } from 'zod';
import { safetyCategories, type PolicyAction, type SafetyCategory, type TimeoutBehaviour } from './safety-types.js';

export interface CategoryPolicy {
  action: PolicyAction;
  /** Findings below this confidence are ignored. */
  minConfidence: number;
  onTimeout: TimeoutBehaviour;
}

export type StagePolicy = Record<SafetyCategory, CategoryPolicy>;

export const safetyStages = ['input', 'untrusted', 'output'] as const;
export type SafetyStage = (typeof safetyStages)[number];

export type SafetyPolicy = Record<SafetyStage, StagePolicy>;

/**
 * Timeout behaviour by risk: a missed check for secrets, payment data, national ids or prompt injection
 * fails closed (the harm of letting it through is high and hard to undo); a missed check for contact
 * details, IP addresses or toxicity fails open (low harm, and blocking would make the service fragile).
 */
const timeoutByRisk: Record<SafetyCategory, TimeoutBehaviour> = {
  email: 'fail_open',
  phone: 'fail_open',
  payment_card: 'fail_closed',
  iban: 'fail_closed',
  us_ssn: 'fail_closed',
  ip_address: 'fail_open',
  secret: 'fail_closed',
  prompt_injection: 'fail_closed',
  toxicity: 'fail_open',
};

function stage(actions: Record<SafetyCategory, PolicyAction>, minConfidence: Partial<Record<SafetyCategory, number>> = {}): StagePolicy {
  return Object.fromEntries(
    safetyCategories.map((category) => [
      category,
      { action: actions[category], minConfidence: minConfidence[category] ?? 0.5, onTimeout: timeoutByRisk[category] },
    ]),
  ) as StagePolicy;
}

/**
 * Defaults. Input: the user's own contact details may reach the (self-hosted) model, but secrets and
 * payment or national ids are masked, and injection attempts are refused. Untrusted text: injected
 * instructions are cut out rather than failing the whole request, and personal data in documents is
 * masked. Output: the client never receives personal data or secrets; toxic language is masked.
 */
export const defaultSafetyPolicy: SafetyPolicy = {
  input: stage({
    email: 'allow', phone: 'allow', payment_card: 'redact', iban: 'redact', us_ssn: 'redact', ip_address: 'allow',
    secret: 'redact', prompt_injection: 'block', toxicity: 'allow',
  }),
  untrusted: stage({
    email: 'redact', phone: 'redact', payment_card: 'redact', iban: 'redact', us_ssn: 'redact', ip_address: 'allow',
    secret: 'redact', prompt_injection: 'redact', toxicity: 'allow',
  }),
  output: stage({
    email: 'redact', phone: 'redact', payment_card: 'redact', iban: 'redact', us_ssn: 'redact', ip_address: 'redact',
    secret: 'redact', prompt_injection: 'allow', toxicity: 'redact',
  }, { toxicity: 0.6 }),
};

const categoryOverride = z.strictObject({
  action: z.enum(['allow', 'redact', 'block']).optional(),
  minConfidence: z.number().min(0).max(1).optional(),
  onTimeout: z.enum(['fail_open', 'fail_closed']).optional(),
});

const stageOverride = z.partialRecord(z.enum(safetyCategories), categoryOverride);

/** The shape of a tenant's stored overrides. Unknown keys are rejected so a typo cannot weaken a policy. */
const safetyPolicyOverrides = z.partialRecord(z.enum(safetyStages), stageOverride);

/** The defaults with a tenant's overrides applied. Throws a ZodError naming the bad key on invalid input. */
export function resolveSafetyPolicy(overrides: unknown = {}, base: SafetyPolicy = defaultSafetyPolicy): SafetyPolicy {
  const parsed = safetyPolicyOverrides.parse(overrides);
  const resolved = structuredClone(base);
  for (const stageName of safetyStages) {
    for (const [category, override] of Object.entries(parsed[stageName] ?? {})) {
      const current = resolved[stageName][category as SafetyCategory];
      resolved[stageName][category as SafetyCategory] = {
        action: override?.action ?? current.action,
        minConfidence: override?.minConfidence ?? current.minConfidence,
        onTimeout: override?.onTimeout ?? current.onTimeout,
      };
    }
  }
  return resolved;
}
