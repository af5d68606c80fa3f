// Turns findings into a verdict under a stage policy. Pure apart from `screenText`, which only adds a
// deadline; the workflow may import `timeoutVerdict` to decide what a check that never returned means.
import type { StagePolicy } from './safety-policy.js';
import { withoutContainedFindings } from './finding-overlaps.js';
import { applyRedactions } from './redaction.js';
import { safetyCategories, type Detector, type Finding, type PolicyAction, type SafetyCategory, type SafetyVerdict } from './safety-types.js';

const severity: Record<PolicyAction, number> = { allow: 0, redact: 1, block: 2 };

/** Findings the policy acts on: categories not allowed, at or above the category's minimum confidence. */
export function actionableFindings(findings: readonly Finding[], policy: StagePolicy): Finding[] {
  return findings.filter((finding) => {
    const rule = policy[finding.category];
    return rule.action !== 'allow' && finding.confidence >= rule.minConfidence;
  });
}

function describe(findings: readonly Finding[], policy: StagePolicy): string[] {
  const counts = new Map<string, number>();
  for (const finding of findings) {
    const key = `${policy[finding.category].action}: ${finding.category} (${finding.detail})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => (count > 1 ? `${key} × ${count}` : key));
}

/** The verdict for `text` given what the detectors found and which categories could not be checked in time. */
export function decide(text: string, findings: readonly Finding[], policy: StagePolicy, timedOut: readonly SafetyCategory[] = []): SafetyVerdict {
  const acted = withoutContainedFindings(actionableFindings(findings, policy));
  let action: PolicyAction = 'allow';
  for (const finding of acted) if (severity[policy[finding.category].action] > severity[action]) action = policy[finding.category].action;
  const reasons = describe(acted, policy);
  for (const category of timedOut) {
    const rule = policy[category];
    if (rule.action === 'allow') continue;
    if (rule.onTimeout === 'fail_closed') {
      action = 'block';
      reasons.push(`block: ${category} check timed out (fails closed)`);
    } else {
      reasons.push(`allow: ${category} check timed out (fails open)`);
    }
  }
  const redactable = acted.filter((finding) => policy[finding.category].action === 'redact');
  return { action, findings: acted, redactedText: applyRedactions(text, redactable), reasons, timedOut: [...timedOut] };
}

/** Detectors that can find something the policy does not simply allow. */
export function detectorsFor(detectors: readonly Detector[], policy: StagePolicy): Detector[] {
  return detectors.filter((detector) => detector.categories.some((category) => policy[category].action !== 'allow'));
}

/** Runs the detectors the policy needs and decides, synchronously. */
export function evaluateText(text: string, detectors: readonly Detector[], policy: StagePolicy): SafetyVerdict {
  return decide(text, detectorsFor(detectors, policy).flatMap((detector) => detector.detect(text)), policy);
}

export interface ScreenOptions {
  /** Time budget for all detectors; categories whose detector has not run by then apply `onTimeout`. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * `evaluateText` with a deadline. Detectors run one at a time and the event loop gets a turn between them,
 * so a timer or an abort is noticed; a detector that has not started when the time is up is not run.
 */
export async function screenText(text: string, detectors: readonly Detector[], policy: StagePolicy, options: ScreenOptions): Promise<SafetyVerdict> {
  const deadline = performance.now() + options.timeoutMs;
  const findings: Finding[] = [];
  const timedOut = new Set<SafetyCategory>();
  for (const detector of detectorsFor(detectors, policy)) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
    if (performance.now() >= deadline) {
      for (const category of detector.categories) timedOut.add(category);
      continue;
    }
    findings.push(...detector.detect(text));
  }
  return decide(text, findings, policy, [...timedOut]);
}

/** The verdict when no check result arrived at all (for example the safety activity timed out). */
export function timeoutVerdict(text: string, policy: StagePolicy): SafetyVerdict {
  return decide(text, [], policy, [...safetyCategories]);
}
