// How a chat turn reads a failure that ended it: what the client is told, what was served before it (to
// charge), and whether persist already charged it.
import { ApplicationFailure, CancelledFailure, ChildWorkflowFailure } from '@temporalio/workflow';
import type { ChatOutcome } from '../domain/chat/chat-request.js';
import type { ErrorCode, Usage } from '../domain/chat/events.js';
import { failureCause, failureType } from './failures.js';

/**
 * What the model served before a cancelled or failed generate: generate attaches it to its failure, so it is
 * in this history. The prompt side is left to the gateway's estimate (no usage report arrived); zero when the
 * failure came from elsewhere (persist then counts what the event stream holds).
 */
export function servedUsage(error: unknown): Usage {
  const cause = failureCause(error);
  const detail = cause !== error && (cause instanceof CancelledFailure || cause instanceof ApplicationFailure) ? cause.details?.[0] : undefined;
  const completionTokens = (detail as Partial<Usage> | undefined)?.completionTokens;
  return { promptTokens: 0, completionTokens: typeof completionTokens === 'number' && completionTokens >= 0 ? completionTokens : 0 };
}

/** The persist step refused the turn for good (Postgres rejects its data); it charged what was served first. */
export function isPersistFailure(error: unknown): boolean {
  return failureType(error) === 'persist_failed';
}

/** The `error` event's code and message: a step's failure by its code, the message only where it helps the client. */
export function describeFailure(error: unknown, outcome: ChatOutcome): { code: ErrorCode | string; message: string } {
  if (outcome === 'cancelled') return { code: 'cancelled', message: 'The request was cancelled.' };
  // A fusion child's failure reaches the client as internal (as it always has).
  const cause = error instanceof ChildWorkflowFailure ? error : failureCause(error);
  if (cause instanceof ApplicationFailure && cause.type) {
    if (cause.type === 'bad_request' || cause.type === 'model_unavailable' || cause.type === 'persist_failed') return { code: cause.type, message: cause.message };
    return { code: cause.type, message: 'The answer could not be completed.' };
  }
  return { code: 'internal', message: 'The answer could not be completed.' };
}
