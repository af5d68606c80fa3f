// One preset per ingestion step. Bad input (unsupported, corrupt, missing, forbidden sources) is never
// retried; the long steps heartbeat, so a dead worker's work moves to another one within the heartbeat timeout.
import type { ActivityOptions } from '@temporalio/workflow';

const nonRetryableErrorTypes = ['unsupported-format', 'corrupt-document', 'empty-document', 'limit-exceeded', 'parse-timeout', 'quota-exceeded', 'not-found', 'forbidden-source', 'too-large'];

// Every step that can take a while heartbeats (at least every two seconds), so the work of a dead worker is
// retried elsewhere after the heartbeat timeout.
const heartbeatTimeout = '20 seconds';

export const expandOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout,
  retry: { initialInterval: '1 second', maximumAttempts: 5, nonRetryableErrorTypes },
};

export const bookkeepingOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500ms', maximumInterval: '10 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
};

export const fetchOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes },
};

export const parseOptions: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout,
  retry: { initialInterval: '1 second', maximumAttempts: 3, nonRetryableErrorTypes },
};

/** Embedding and upserting heartbeat after every batch and resume from what is already stored. */
export const batchOptions: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
};

/**
 * Copying points between stores: the cursor travels in the heartbeats, so a short heartbeat timeout (the SDK
 * sends them at most every 80% of it) bounds both how soon a dead worker's copy moves on and how much of it is
 * written again.
 */
export const copyOptions: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
};
