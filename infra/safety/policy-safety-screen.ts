// The SafetyScreen port over the detectors and policy engine in domain/safety, with each tenant's policy.
import type { FilteredOutput, OutputFilter, SafetyScreen, SafetyStage } from '../../domain/chat/ports.js';
import type { SafetyVerdict } from '../../domain/chat/chat-request.js';
import { screenText } from '../../domain/safety/policy-engine.js';
import { StreamingRedactor, type RedactorOutput } from '../../domain/safety/streaming-redactor.js';
import { createDefaultDetectors, createOutputDetectors, type DetectorOptions } from '../../domain/safety/detectors/default-detectors.js';
import type { Detector } from '../../domain/safety/safety-types.js';
import type { SafetyPolicyStore } from '../postgres/safety-policy-store.js';

export interface PolicySafetyScreenOptions extends DetectorOptions {
  /** Time budget of one check; categories not checked by then apply their timeout behaviour. */
  timeoutMs: number;
}

export class PolicySafetyScreen implements SafetyScreen {
  private readonly detectors: Detector[];
  private readonly outputDetectors: Detector[];

  constructor(private readonly policies: SafetyPolicyStore, private readonly options: PolicySafetyScreenOptions) {
    this.detectors = createDefaultDetectors(options);
    this.outputDetectors = createOutputDetectors(options);
  }

  async check(tenantId: string, text: string, stage: SafetyStage): Promise<SafetyVerdict> {
    const policy = await this.policies.policyFor(tenantId);
    const verdict = await screenText(text, stage === 'output' ? this.outputDetectors : this.detectors, policy[stage], { timeoutMs: this.options.timeoutMs });
    return {
      action: verdict.action,
      reasons: verdict.reasons,
      text: verdict.action === 'redact' ? verdict.redactedText : undefined,
      categories: [...new Set(verdict.findings.map((finding) => finding.category))],
    };
  }

  async outputFilter(tenantId: string): Promise<OutputFilter> {
    const policy = await this.policies.policyFor(tenantId);
    const redactor = new StreamingRedactor({ detectors: this.outputDetectors, policy: policy.output });
    return {
      push: (delta) => describe(redactor.push(delta)),
      end: () => describe(redactor.end()),
    };
  }
}

function describe(output: RedactorOutput): FilteredOutput {
  return {
    text: output.text,
    redactions: output.findings.map((finding) => ({ category: finding.category, detail: finding.detail })),
    blocked: output.blocked,
  };
}
