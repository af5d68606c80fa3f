import { checkCitations, type NumberedSource } from '../../domain/safety/citation-check.js';
import type { SafetyVerdict } from '../../domain/chat/chat-request.js';
import { publishAnswerDone, type AnswerDone, type KeptAnswer } from './answer-done.js';
import type { ChatActivityDependencies } from './dependencies.js';

export interface PostSafetyInput {
  tenantId: string;
  answer: string;
  sourceCount: number;
  /** The numbered sources' names (documents, then tool outputs); histories from before carry only the count. */
  sources?: NumberedSource[];
  /** The arguments of the client tool calls the model made: checked under the output policy like the answer. */
  toolArguments?: string[];
  /**
   * Set for a turn nothing reads once stored (a chat completion, a turn kept nowhere): once checked, the answer is
   * final and safe, so answer.done goes out here and the client does not wait for the turn to be stored.
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
    const verdict = await checkOutput(deps, input, citations.reasons, cleaned);
    // The workflow keeps the answer whatever the verdict (as before, when persist sent answer.done).
    if (input.announce) await publishAnswerDone(deps, input.announce, keptOf(input, verdict));
    return verdict;
  };
}

/** Where the kept answer differs from the streamed one: what a client answered in one piece must be told. */
function keptOf(input: PostSafetyInput, verdict: SafetyVerdict): KeptAnswer {
  const redacted = verdict.toolArguments?.some((argument, index) => argument !== input.toolArguments?.[index]);
  return {
    ...(verdict.answer !== undefined ? { answer: verdict.answer } : {}),
    ...(redacted ? { toolArguments: verdict.toolArguments } : {}),
  };
}

/** The output policy on the answer and on each client tool call's arguments, with the citation check's notes. */
async function checkOutput(deps: ChatActivityDependencies, input: PostSafetyInput, citationReasons: string[], cleaned: { answer?: string }): Promise<SafetyVerdict> {
  if (!deps.safety) return { action: 'allow', reasons: citationReasons, ...cleaned };
  const safety = deps.safety;
  const verdict = await safety.check(input.tenantId, input.answer, 'output');
  if (!input.toolArguments?.length) return { ...verdict, reasons: [...verdict.reasons, ...citationReasons], ...cleaned };
  // Each argument is screened whole (the stream screened it in fragments); a redaction replaces it.
  const argumentVerdicts = await Promise.all(input.toolArguments.map((text) => safety.check(input.tenantId, text, 'output')));
  const toolArguments = argumentVerdicts.map((argument, index) => (argument.action === 'redact' && argument.text !== undefined ? argument.text : input.toolArguments![index]!));
  const action = [verdict, ...argumentVerdicts].some((each) => each.action === 'block') ? 'block'
    : [verdict, ...argumentVerdicts].some((each) => each.action === 'redact') ? 'redact' : 'allow';
  return {
    ...verdict,
    action,
    reasons: [...verdict.reasons, ...argumentVerdicts.flatMap((argument) => argument.reasons.map((reason) => `tool call argument: ${reason}`)), ...citationReasons],
    ...cleaned,
    toolArguments,
  };
}
