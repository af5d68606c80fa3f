// Lookups by a client-supplied id (resume, cancel, idempotent join, job status) go through here: a run is
// answered only when its tenant search attribute is the caller's. The ids are unambiguous already; this is
// the second lock, and what makes the fallback to pre-escaping (legacy) ids safe for runs started before.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { tenantAttribute } from '../../workflows/search-attributes.js';

export interface OwnedRun {
  workflowId: string;
  description: WorkflowExecutionDescription;
}

/**
 * The first candidate id whose run exists and belongs to the tenant (and passes `also`), or undefined. A run
 * of another tenant is indistinguishable from no run at all.
 */
export async function findOwnedRun(
  temporal: Client,
  tenantId: string,
  candidateIds: string[],
  also: (description: WorkflowExecutionDescription) => boolean = () => true,
): Promise<OwnedRun | undefined> {
  for (const workflowId of new Set(candidateIds)) {
    let description: WorkflowExecutionDescription;
    try {
      description = await temporal.workflow.getHandle(workflowId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) continue;
      throw error;
    }
    if (description.typedSearchAttributes.get(tenantAttribute) === tenantId && also(description)) return { workflowId, description };
  }
  return undefined;
}
