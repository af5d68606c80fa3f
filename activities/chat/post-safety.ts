import { checkCitations, type NumberedSource } from '../../domain/safety/citation-check.js';
import type { SafetyVerdict } from '../../domain/chat/chat-request.js';
import { publishAnswerDone, type AnswerDone } from './answer-done.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface PostSafetyInput {
  tenantId: string;
  answer: string;
  sourceCount: number;
  /** The numbered sources' names (documents, then tool outputs); histories from before carry only the count. */
  sources?: NumberedSource[];
  /**
   * Set for a stateless client's turn: once checked, the answer is final and safe, so answer.done goes out here
   * and the client does not wait for the turn to be stored (nothing reads that turn before its next request).
   */
  announce?: AnswerDone;
}

/**
 * Checks the whole answer under the output policy (the stream was already filtered in windows; this sees
 * the complete text) and that every [n] marker points at a source the client received. Lines that only
 * restate the source list (often naming no retrieved source) are taken out: `answer` is then the text to
 * keep. The verdict is recorded in the workflow history. With `announce`, the client is then told the answer is done.
 */
export function createPostSafetyActivity(deps: ChatActivityDependencies) {
  return async function postSafety(input: PostSafetyInput): Promise<SafetyVerdict> {
    const citations = checkCitations(input.answer, input.sources ?? input.sourceCount);
    const cleaned = citations.sourceLines > 0 ? { answer: citations.answer } : {};
    const verdict: SafetyVerdict = deps.safety
      ? await deps.safety.check(input.tenantId, input.answer, 'output').then((checked) => ({ ...checked, reasons: [...checked.reasons, ...citations.reasons], ...cleaned }))
      : { action: 'allow', reasons: citations.reasons, ...cleaned };
    if (input.announce) await publishAnswerDone(deps, input.announce);
    return verdict;
  };
}
