import type { Citation, SafetyVerdict } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface PostSafetyInput {
  tenantId: string;
  answer: string;
  citations: Citation[];
  sourceCount: number;
}

/** Checks the whole answer and that every [n] marker points at a source the client received. */
export function createPostSafetyActivity(deps: ChatActivityDependencies) {
  return async function postSafety(input: PostSafetyInput): Promise<SafetyVerdict> {
    const danglingCitations = [...input.answer.matchAll(/\[(\d+)\]/g)]
      .map((match) => Number(match[1]))
      .filter((index) => index < 1 || index > input.sourceCount);
    const reasons = danglingCitations.length > 0 ? [`answer cites unknown sources: ${[...new Set(danglingCitations)].join(', ')}`] : [];
    if (!deps.safety) return { action: 'allow', reasons };
    const verdict = await deps.safety.check(input.tenantId, input.answer, 'output');
    return { ...verdict, reasons: [...verdict.reasons, ...reasons] };
  };
}
