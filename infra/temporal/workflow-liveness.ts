// Whether a workflow run still runs, for leases held in the name of a run (an ingestion document's tenant slot):
// a run that was terminated, timed out or otherwise closed without giving its lease back can be let go at once
// instead of after the lease. When Temporal cannot answer, the run counts as alive: a lease is never freed on
// a guess.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';

export function workflowLiveness(temporal: Client): (workflowId: string) => Promise<boolean> {
  return async (workflowId) => {
    try {
      return (await temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch (error) {
      return !(error instanceof WorkflowNotFoundError);
    }
  };
}
