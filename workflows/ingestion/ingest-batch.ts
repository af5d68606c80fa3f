// An ingestion job: lists its sources (folders become their files, files gone from a folder become
// deletions), then runs one child workflow per document, a few at a time. Large jobs continue as new every
// `documentsPerRun` documents, carrying their progress; the progress query and search attributes (tenant,
// job, status) let operators follow the job. Deterministic code only.
import { continueAsNew, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { IngestionActivities } from '../../activities/ingestion/index.js';
import { isIdentifier } from '../../domain/limits.js';
import { addResult, emptyProgress, type IngestJobInput, type JobProgress, type JobSource } from '../../ingestion/ingestion-job.js';
import * as presets from './activity-options.js';
import { ingestDocumentWorkflow } from './ingest-document.js';
import { progressQuery } from './messages.js';
import { failingTogether, markRunning, markStatus, refuseInput } from './run-status.js';

const { expandSources } = proxyActivities<IngestionActivities>(presets.expandOptions);
const { listJobSources } = proxyActivities<IngestionActivities>(presets.bookkeepingOptions);

const defaultDocumentsPerRun = 500;
const defaultConcurrency = 4;
const pageSize = 50;
export const maxSources = 10_000;

export async function ingestBatchWorkflow(input: IngestJobInput): Promise<JobProgress> {
  refuseInput(jobInputProblems(input));
  const { workflowId } = workflowInfo();
  const progress: JobProgress = input.resume?.progress ?? emptyProgress(input.jobId, input.tenantId);
  setHandler(progressQuery, () => progress);
  markRunning(input.tenantId, input.jobId);
  return failingTogether(progress, async () => {
    if (!input.resume) progress.total = (await expandSources({ jobId: workflowId, tenantId: input.tenantId, sources: input.sources })).total;
    progress.status = 'running';
    const perRun = Math.max(1, input.documentsPerRun ?? defaultDocumentsPerRun);
    let offset = input.resume?.offset ?? 0;
    let handled = 0;
    while (offset < progress.total) {
      if (handled >= perRun || workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof ingestBatchWorkflow>({ ...input, resume: { offset, progress } });
      }
      const page = await listJobSources({ jobId: workflowId, offset, limit: Math.min(pageSize, perRun - handled) });
      if (page.length === 0) break;
      await forEachConcurrently(page, input.concurrency ?? defaultConcurrency, async (source) => {
        addResult(progress, await executeChild(ingestDocumentWorkflow, {
          workflowId: `${workflowId}-${source.documentId}`,
          // Temporal's task-queue fairness: each tenant's tasks get their share, however many another has queued.
          priority: { fairnessKey: input.tenantId },
          args: [{ tenantId: input.tenantId, jobId: input.jobId, documentId: source.documentId, source: source.source, action: source.action }],
        }));
      });
      offset += page.length;
      handled += page.length;
    }
    progress.status = 'completed';
    markStatus(progress.failed > 0 ? 'partial' : 'completed');
    return progress;
  });
}

async function forEachConcurrently(items: readonly JobSource[], limit: number, work: (item: JobSource) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

function jobInputProblems(input: IngestJobInput): string[] {
  const problems: string[] = [];
  if (!isIdentifier(input.tenantId)) problems.push('tenantId must be 1-64 letters, digits, _ or -');
  if (!isIdentifier(input.jobId)) problems.push('jobId must be 1-64 letters, digits, _ or -');
  if (!Array.isArray(input.sources) || input.sources.length === 0) problems.push('sources must be a non-empty list');
  else if (input.sources.length > maxSources) problems.push(`at most ${maxSources} sources per job (folders count once)`);
  else {
    const bad = input.sources.filter((source) => typeof source !== 'string' || !(/^https?:\/\/[^/]/i.test(source) || source.startsWith('/')));
    if (bad.length > 0) problems.push(`sources must be absolute paths or http(s) URLs: ${bad.slice(0, 3).join(', ')}`);
  }
  if (input.concurrency !== undefined && (!Number.isInteger(input.concurrency) || input.concurrency < 1 || input.concurrency > 64)) problems.push('concurrency must be an integer from 1 to 64');
  return problems;
}
