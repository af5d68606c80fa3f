import { checkCitations, type NumberedSource } from '../../domain/safety/citation-check.js';
import type { SafetyVerdict } from '../../domain/chat/chat-request.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface PostSafetyInput {
  tenantId: string;
  answer: string;
  sourceCount: number;
  /** The numbered sources' names (documents, then tool outputs); histories from before carry only the count. */
  sources?: NumberedSource[];
  /** The arguments of the client tool calls the model made: checked under the output policy like the answer. */
  toolArguments?: string[];
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
    const safety = deps.safety;
    const verdict = await safety.check(input.tenantId, input.answer, 'output');
    if (!input.toolArguments?.length) return { ...verdict, reasons: [...verdict.reasons, ...citations.reasons], ...cleaned };
    // Each argument is screened whole (the stream screened it in fragments); a redaction replaces it.
    const argumentVerdicts = await Promise.all(input.toolArguments.map((text) => safety.check(input.tenantId, text, 'output')));
    const toolArguments = argumentVerdicts.map((argument, index) => (argument.action === 'redact' && argument.text !== undefined ? argument.text : input.toolArguments![index]!));
    const action = [verdict, ...argumentVerdicts].some((each) => each.action === 'block') ? 'block'
      : [verdict, ...argumentVerdicts].some((each) => each.action === 'redact') ? 'redact' : 'allow';
    return {
      ...verdict,
      action,
      reasons: [...verdict.reasons, ...argumentVerdicts.flatMap((argument) => argument.reasons.map((reason) => `tool call argument: ${reason}`)), ...citations.reasons],
      ...cleaned,
      toolArguments,
    };
  };
}
