// The one translation of an error thrown inside an activity into Temporal's ApplicationFailure, shared by chat
// and ingestion: a RagtimeError keeps its code as the failure type, its retryability, its details and cause;
// anything else passes through unchanged (Temporal retries it under the step's policy).
import { ApplicationFailure } from '@temporalio/common';
import { isRagtimeError } from '../domain/errors.js';

export function toApplicationFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure || !isRagtimeError(error)) return error;
  return ApplicationFailure.create({
    message: error.message,
    type: error.code,
    nonRetryable: !error.retryable,
    ...(error.details ? { details: [error.details] } : {}),
    ...(error.cause instanceof Error ? { cause: error.cause } : {}),
  });
}

/** Runs an activity body and throws what it throws as an ApplicationFailure. */
export async function withFailureTranslation<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toApplicationFailure(error);
  }
}
