import type { SafetyVerdict } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface PreSafetyInput {
  tenantId: string;
  question: string;
  /** What else the client sent for the model to read (its history and instructions): screened the same way. */
  context?: string[];
}

/**
 * Screens the user's question, and any history or instructions the client sent with it, under the tenant's
 * input policy: allow, redact (the model sees the redacted text) or block. The strictest verdict wins.
 */
export function createPreSafetyActivity(deps: ChatActivityDependencies) {
  return async function preSafety(input: PreSafetyInput): Promise<SafetyVerdict> {
    if (!deps.safety) return { action: 'allow', reasons: ['no input filters configured'] };
    const safety = deps.safety;
    const context = input.context ?? [];
    const [verdict, ...contextVerdicts] = await Promise.all([input.question, ...context].map((text) => safety.check(input.tenantId, text, 'input')));
    if (context.length === 0) return verdict!;
    const all = [verdict!, ...contextVerdicts];
    const action = all.some((each) => each.action === 'block') ? 'block' : all.some((each) => each.action === 'redact') ? 'redact' : 'allow';
    return {
      action,
      reasons: [...new Set(all.flatMap((each) => each.reasons))],
      categories: [...new Set(all.flatMap((each) => each.categories ?? []))],
      ...(verdict!.text !== undefined ? { text: verdict!.text } : {}),
      context: contextVerdicts.map((each, index) => (each.action === 'redact' && each.text !== undefined ? each.text : context[index]!)),
    };
  };
}
