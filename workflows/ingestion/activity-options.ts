// One preset per ingestion step. Bad input (unsupported, corrupt, missing, forbidden sources, quota) is never
// retried: the non-retryable failure types come from the error catalog (domain/errors.ts). The long steps
// heartbeat (at least every two seconds), so a dead worker's work moves to another one within the heartbeat
// timeout instead of waiting out the whole start-to-close timeout.
import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { nonRetryableErrorTypes } from '../../domain/errors.js';

const heartbeatTimeout = '20 seconds';

/** Exponential backoff up to 30 seconds between attempts. */
const backingOff = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;

function preset(startToCloseTimeout: Duration, retry: Omit<RetryPolicy, 'nonRetryableErrorTypes'>, heartbeat?: Duration): ActivityOptions {
  return { startToCloseTimeout, ...(heartbeat ? { heartbeatTimeout: heartbeat } : {}), retry: { ...retry, nonRetryableErrorTypes: [...nonRetryableErrorTypes] } };
}

export const expandOptions = preset('5 minutes', { initialInterval: '1 second', maximumAttempts: 5 }, heartbeatTimeout);

export const bookkeepingOptions = preset('30 seconds', { initialInterval: '500ms', maximumInterval: '10 seconds', maximumAttempts: 10 });

export const fetchOptions = preset('5 minutes', { ...backingOff, maximumAttempts: 5 }, heartbeatTimeout);

export const parseOptions = preset('10 minutes', { initialInterval: '1 second', maximumAttempts: 3 }, heartbeatTimeout);

/** Embedding and upserting heartbeat after every batch and resume from what is already stored. */
export const batchOptions = preset('1 hour', { ...backingOff, maximumAttempts: 10 }, heartbeatTimeout);

/**
 * Copying points between stores: the cursor travels in the heartbeats, so a short heartbeat timeout (the SDK
 * sends them at most every 80% of it) bounds both how soon a dead worker's copy moves on and how much of it is
 * written again.
 */
export const copyOptions = preset('1 hour', { ...backingOff, maximumAttempts: 10 }, '5 seconds');
