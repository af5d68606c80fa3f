// The status an ingestion run (a job, one of its documents, a vector migration) shows operators through its
// search attributes, and the bad-input refusal the job and migration workflows share. Deterministic code only.
import { ApplicationFailure, ContinueAsNew, upsertSearchAttributes } from '@temporalio/workflow';
import { tenantAttribute } from '../search-attributes.js';
import { ingestionJobAttribute, ingestionStatusAttribute } from './search-attributes.js';

/** Tags the run with its tenant (when it has one) and job, as running. */
export function markRunning(tenantId: string | undefined, jobId: string): void {
  upsertSearchAttributes([
    ...(tenantId !== undefined ? [{ key: tenantAttribute, value: tenantId }] : []),
    { key: ingestionJobAttribute, value: jobId },
    { key: ingestionStatusAttribute, value: 'running' },
  ]);
}

export function markStatus(status: string): void {
  upsertSearchAttributes([{ key: ingestionStatusAttribute, value: status }]);
}

/** Runs the body of a job or migration; when it fails (continuing as new is not failing), so do its progress and status. */
export async function failingTogether<T>(progress: { status: string }, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    progress.status = 'failed';
    markStatus('failed');
    throw error;
  }
}

/** Input that cannot run, refused at once with every problem found. */
export function refuseInput(problems: readonly string[]): void {
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(problems.join('; '), 'bad_request');
}
