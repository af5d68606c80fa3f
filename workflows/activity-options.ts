// One preset per step: explicit timeouts and retry policies, so every step's failure behaviour is visible
// here and in the workflow history.
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';

const nonRetryableErrorTypes = ['bad_request', 'blocked', 'not_found'];

export const planOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500ms', maximumAttempts: 3, nonRetryableErrorTypes },
};

export const preSafetyOptions: ActivityOptions = {
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200ms', maximumAttempts: 3, nonRetryableErrorTypes },
};

/** Retrieval gets one retry; after that the answer proceeds without context. */
export const retrieveOptions: ActivityOptions = {
  startToCloseTimeout: '8 seconds',
  retry: { initialInterval: '200ms', maximumAttempts: 2, nonRetryableErrorTypes },
};

export const toolsOptions: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500ms', maximumAttempts: 2, nonRetryableErrorTypes },
};

export const routeOptions: ActivityOptions = {
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

export const postSafetyOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200ms', maximumAttempts: 3, nonRetryableErrorTypes },
};

export const persistOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500ms', maximumInterval: '5 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
};

export const publishOptions: ActivityOptions = {
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200ms', maximumInterval: '2 seconds', maximumAttempts: 10 },
};
