// One preset per step: explicit timeouts and retry policies, so every step's failure behaviour is visible
// here and in the workflow history.
import { ActivityCancellationType, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { nonRetryableErrorTypes as catalogued } from '../domain/errors.js';

/** Failure types no retry can fix, from the error catalog (domain/errors.ts). */
const nonRetryableErrorTypes = [...catalogued];

// The steps before the first token are short and run as local activities: in the worker that runs the
// workflow task, recorded as markers, without a round trip through the server each. That keeps the time to
// first token close to the model's own.

export const planOptions: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500ms', maximumAttempts: 3, nonRetryableErrorTypes },
};

export const preSafetyOptions: LocalActivityOptions = {
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200ms', maximumAttempts: 3, nonRetryableErrorTypes },
};

/** Retrieval gets one retry; after that the answer proceeds without context. */
export const retrieveOptions: LocalActivityOptions = {
  startToCloseTimeout: '8 seconds',
  retry: { initialInterval: '200ms', maximumAttempts: 2, nonRetryableErrorTypes },
};

export const toolsOptions: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500ms', maximumAttempts: 2, nonRetryableErrorTypes },
};

/** A tool-calling model's choice of tools: one non-streaming completion; on failure the turn goes on without. */
export const toolCallOptions: ActivityOptions = {
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '500ms', maximumAttempts: 2, nonRetryableErrorTypes },
};

export const routeOptions: LocalActivityOptions = {
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200ms', maximumAttempts: 5, nonRetryableErrorTypes },
};

/**
 * Generation heartbeats its emitted offset; a worker that dies is noticed after the heartbeat timeout
 * and the retry continues from the text already streamed. Cancellation waits for the upstream abort.
 */
export const generateOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '6 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes },
};

// The steps after generation run as local activities too, in the workflow task that generation's completion
// starts: no server round trip, scheduled/started/completed events or extra workflow task each. A worker that
// dies mid-step loses the task; the next worker replays and runs the step again, so each is idempotent:
// persist stores the turn ON CONFLICT DO NOTHING and settles a reservation only while it is still reserved,
// and events carry dedupe keys. The retries stay in the worker (below the local retry threshold).

export const postSafetyOptions: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200ms', maximumAttempts: 3, nonRetryableErrorTypes },
};

export const persistOptions: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500ms', maximumInterval: '5 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
};

export const publishLocalOptions: LocalActivityOptions = {
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200ms', maximumInterval: '2 seconds', maximumAttempts: 10 },
};

export const publishOptions: ActivityOptions = {
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200ms', maximumInterval: '2 seconds', maximumAttempts: 10 },
};

/** One model's answer in a fusion request; its breaker and stall limits decide failure quickly. */
export const candidateOptions: ActivityOptions = {
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '20 seconds',
  cancellationType: ActivityCancellationType.TRY_CANCEL,
  retry: { initialInterval: '1 second', maximumAttempts: 2, nonRetryableErrorTypes },
};

export const publishAnswerOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '200ms', maximumInterval: '2 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
};
