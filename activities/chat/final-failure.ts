// Whether a failing step is over: Temporal will not try it again, because the error says a retry cannot help
// or this was the retry policy's last attempt. A step that owns an event's failure form publishes it then.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isRagtimeError } from '../../domain/errors.js';

export function isFinalFailure(error: unknown): boolean {
  const { attempt, retryPolicy } = Context.current().info;
  if (Context.current().cancellationSignal.aborted) return false;
  if (error instanceof ApplicationFailure && (error.nonRetryable || (error.type && retryPolicy?.nonRetryableErrorTypes?.includes(error.type)))) return true;
  if (isRagtimeError(error) && (!error.retryable || retryPolicy?.nonRetryableErrorTypes?.includes(error.code))) return true;
  const maximumAttempts = retryPolicy?.maximumAttempts;
  return maximumAttempts !== undefined && maximumAttempts > 0 && attempt >= maximumAttempts;
}

/** The message a client is shown for a step's failure. */
export function failureMessage(error: unknown, fallback: string): string {
  return error instanceof Error && error.message ? error.message : fallback;
}
