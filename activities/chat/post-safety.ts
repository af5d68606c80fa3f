import { checkCitations, type NumberedSource } from '../../domain/safety/citation-check.js';
import type { SafetyVerdict } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface PostSafetyInput {
  tenantId: string;
  answer: string;
  sourceCount: number;
  /** The numbered sources' names (documents, then tool outputs); histories from before carry only the count. */
  sources?: NumberedSource[];
}

/**
 * Checks the whole answer under the output policy (the stream was already filtered in windows; this sees
 * the complete text) and that every [n] marker points at a source the client received. Lines that only
 * restate the source list (often naming no retrieved source) are taken out: `answer` is then the text to
 * keep. The verdict is recorded in the workflow history.
 */
export function createPostSafetyActivity(deps: ChatActivityDependencies) {
  return async function postSafety(input: PostSafetyInput): Promise<SafetyVerdict> {
    const citations = checkCitations(input.answer, input.sources ?? input.sourceCount);
    const cleaned = citations.sourceLines > 0 ? { answer: citations.answer } : {};
    if (!deps.safety) return { action: 'allow', reasons: citations.reasons, ...cleaned };
    const verdict = await deps.safety.check(input.tenantId, input.answer, 'output');
    return { ...verdict, reasons: [...verdict.reasons, ...citations.reasons], ...cleaned };
  };
}
