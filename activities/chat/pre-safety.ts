import type { SafetyVerdict } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';

/** Screens the user's question under the tenant's input policy: allow, redact (the model sees the redacted text) or block. */
export function createPreSafetyActivity(deps: ChatActivityDependencies) {
  return async function preSafety(input: { tenantId: string; question: string }): Promise<SafetyVerdict> {
    if (!deps.safety) return { action: 'allow', reasons: ['no input filters configured'] };
    return deps.safety.check(input.tenantId, input.question, 'input');
  };
}
