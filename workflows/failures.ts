// Reading a failure inside a workflow: a regular activity's or child workflow's failure arrives wrapped
// (ActivityFailure, ChildWorkflowFailure), a local activity's as the failure itself. These two functions are
// the only unwrapping code; workflows ask them instead of testing `instanceof` by hand.
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';

/** The failure that caused `error`: the activity's or child's own failure, or `error` itself. */
export function failureCause(error: unknown): unknown {
  if ((error instanceof ActivityFailure || error instanceof ChildWorkflowFailure) && error.cause) return error.cause;
  return error;
}

/** The ApplicationFailure type (our error code) behind `error`, if it is one. */
export function failureType(error: unknown): string | undefined {
  const cause = failureCause(error);
  return cause instanceof ApplicationFailure ? cause.type ?? undefined : undefined;
}
