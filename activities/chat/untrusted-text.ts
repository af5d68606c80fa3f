import type { SafetyScreen } from '../../domain/chat/ports.js';

/**
 * Retrieved chunks and tool results are untrusted: injected instructions are cut out and personal data is
 * masked under the tenant's `untrusted` policy before they reach the prompt. A blocked text is dropped.
 */
export async function screenUntrusted(safety: SafetyScreen | undefined, tenantId: string, text: string): Promise<string | undefined> {
  if (!safety) return text;
  const verdict = await safety.check(tenantId, text, 'untrusted');
  if (verdict.action === 'block') return undefined;
  return verdict.action === 'redact' && verdict.text !== undefined ? verdict.text : text;
}
