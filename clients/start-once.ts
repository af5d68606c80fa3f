// Starting a workflow whose id is an idempotency key, the way every starter here does it: a submit while the
// run is going joins it (USE_EXISTING), and a run that has finished is never started again (REJECT_DUPLICATE).
import { WorkflowExecutionAlreadyStartedError, type Client, type Workflow, type WorkflowStartOptions } from '@temporalio/client';

/** Starts the run or joins the one going; false when a finished run has the id already (nothing started). */
export async function startOnce<T extends Workflow>(temporal: Client, workflowType: string, options: WorkflowStartOptions<T>): Promise<boolean> {
  try {
    await temporal.workflow.start<T>(workflowType, { ...options, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    return true;
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return false;
  }
}
