// Starting ingestion jobs and reading their progress through Temporal: the one path the CLI and the HTTP
// API share. The workflow id carries the tenant (scoped-id encoding) and every lookup checks the run's tenant
// attribute, so a tenant can only ever reach its own jobs.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ingestJobWorkflowId, legacyIngestJobWorkflowId, type IngestJobInput, type JobProgress } from '../../ingestion/ingestion-job.js';
import type { ingestBatchWorkflow } from '../../workflows/ingestion/ingest-batch.js';
import { progressQuery } from '../../workflows/ingestion/messages.js';
import { tenantAttribute } from '../../workflows/search-attributes.js';
import { ingestionJobAttribute, ingestionStatusAttribute } from '../../workflows/ingestion/search-attributes.js';
import { findOwnedRun } from '../temporal/owned-run.js';

export interface StartedJob {
  jobId: string;
  workflowId: string;
  /** False when a job with this id already existed (it was joined, not started again). */
  started: boolean;
}

export async function startIngestJob(temporal: Client, taskQueue: string, input: Omit<IngestJobInput, 'resume'>): Promise<StartedJob> {
  const workflowId = ingestJobWorkflowId(input.tenantId, input.jobId);
  const legacy = legacyIngestJobWorkflowId(input.tenantId, input.jobId);
  if (legacy !== workflowId && await findJobRun(temporal, input.tenantId, input.jobId, [legacy])) return { jobId: input.jobId, workflowId: legacy, started: false };
  try {
    await temporal.workflow.start<typeof ingestBatchWorkflow>('ingestBatchWorkflow', {
      taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: tenantAttribute, value: input.tenantId },
        { key: ingestionJobAttribute, value: input.jobId },
        { key: ingestionStatusAttribute, value: 'running' },
      ],
      // Fair dispatch between tenants on the task queue (the server needs matching.enableFairness); its
      // children and activities inherit the key.
      priority: { fairnessKey: input.tenantId },
      staticSummary: `${input.tenantId}: ingest ${input.sources.length} source(s)`,
    });
    return { jobId: input.jobId, workflowId, started: true };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return { jobId: input.jobId, workflowId, started: false };
  }
}

export type JobState =
  | { state: 'completed' | 'partial'; workflowId: string; progress: JobProgress }
  /** No progress when no ingestion worker answered the progress query in time (the job itself is unharmed). */
  | { state: 'running'; workflowId: string; progress?: JobProgress }
  | { state: 'failed'; workflowId: string; error: string }
  | { state: 'not-found'; workflowId: string };

const progressQueryTimeoutMs = 3_000;

/** The job's progress: live while it runs (progress query), its result once done (`partial` when documents failed). */
export async function ingestJobState(temporal: Client, tenantId: string, jobId: string): Promise<JobState> {
  const run = await findJobRun(temporal, tenantId, jobId, [ingestJobWorkflowId(tenantId, jobId), legacyIngestJobWorkflowId(tenantId, jobId)]);
  // Another tenant's job is answered exactly like a missing one.
  if (!run) return { state: 'not-found', workflowId: ingestJobWorkflowId(tenantId, jobId) };
  const { workflowId, description } = run;
  const handle = temporal.workflow.getHandle<typeof ingestBatchWorkflow>(workflowId);
  try {
    const status = description.status.name;
    if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') {
      // A query needs a worker: bounded, so a status request never hangs on a job whose workers are all down.
      const progress = await temporal.connection.withDeadline(Date.now() + progressQueryTimeoutMs, () => handle.query(progressQuery)).catch(() => undefined);
      return { state: 'running', workflowId, ...(progress ? { progress } : {}) };
    }
    if (status === 'COMPLETED') {
      // Partial: the job finished, and some documents failed (each with its reason in progress.failures).
      const progress = await handle.result();
      return { state: progress.failed > 0 ? 'partial' : 'completed', workflowId, progress };
    }
    const error = await handle.result().then(() => status.toLowerCase(), (failure: Error) => (failure.cause as Error | undefined)?.message ?? failure.message);
    return { state: 'failed', workflowId, error };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { state: 'not-found', workflowId };
    throw error;
  }
}

/** The tenant's own run of the job: tenant and job search attributes both checked. */
function findJobRun(temporal: Client, tenantId: string, jobId: string, candidateIds: string[]) {
  return findOwnedRun(temporal, tenantId, candidateIds, (description) => description.typedSearchAttributes.get(ingestionJobAttribute) === jobId);
}
