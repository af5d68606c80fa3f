// Why a closed run did not complete, in words for a job or migration report: what the workflow failed with
// (the cause Temporal wraps in WorkflowFailedError), or how it closed (terminated, timed out, cancelled).
import type { WorkflowHandle } from '@temporalio/client';

export function runFailure(handle: WorkflowHandle, status: string): Promise<string> {
  return handle.result().then(() => status.toLowerCase(), (failure: Error) => (failure.cause as Error | undefined)?.message ?? failure.message);
}
