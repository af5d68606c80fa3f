// The records an ingestion job passes between its workflows and activities: ids, counts and reasons, never
// document content or vectors (those are staged in Postgres). Pure types, safe for workflow code.
import { scopedId } from '../domain/tenancy/scoped-id.js';

export interface IngestJobInput {
  tenantId: string;
  jobId: string;
  /** Absolute file or folder paths and http(s) URLs. */
  sources: string[];
  /** Documents handled per workflow run before it continues as new (keeps the history small). */
  documentsPerRun?: number;
  /** Documents ingested at the same time. */
  concurrency?: number;
  /** Where a continued run resumes; set by the workflow itself. */
  resume?: { offset: number; progress: JobProgress };
}

export type JobStatus = 'expanding' | 'running' | 'completed' | 'failed';

export interface DocumentFailure {
  source: string;
  reason: string;
}

export interface JobProgress {
  jobId: string;
  tenantId: string;
  status: JobStatus;
  /** Documents to handle (after listing folders), including deletions. */
  total: number;
  /** Documents handled so far. */
  processed: number;
  indexed: number;
  unchanged: number;
  failed: number;
  deleted: number;
  /** Chunks of the documents handled (indexed and unchanged). */
  chunks: number;
  /** Chunks embedded in this job: only new or changed content. */
  embedded: number;
  /** Points written to the vector store (embedded chunks plus chunks that only moved). */
  written: number;
  /** Stale points removed from the vector store. */
  removed: number;
  /** The first failures with their reasons (failed counts them all). */
  failures: DocumentFailure[];
}

export type DocumentAction = 'ingest' | 'delete';

export interface JobSource {
  ordinal: number;
  source: string;
  documentId: string;
  action: DocumentAction;
}

export interface IngestDocumentInput {
  tenantId: string;
  /** Workflow id of the job. */
  jobId: string;
  documentId: string;
  source: string;
  action: DocumentAction;
}

export type DocumentStatus = 'indexed' | 'unchanged' | 'failed' | 'deleted';

export interface DocumentResult {
  documentId: string;
  source: string;
  status: DocumentStatus;
  chunks: number;
  embedded: number;
  written: number;
  removed: number;
  reason?: string;
}

export const maxReportedFailures = 100;

export function emptyProgress(jobId: string, tenantId: string): JobProgress {
  return { jobId, tenantId, status: 'expanding', total: 0, processed: 0, indexed: 0, unchanged: 0, failed: 0, deleted: 0, chunks: 0, embedded: 0, written: 0, removed: 0, failures: [] };
}

/** Adds one document's result to the job's progress. */
export function addResult(progress: JobProgress, result: DocumentResult): void {
  progress.processed += 1;
  progress[result.status] += 1;
  progress.chunks += result.status === 'deleted' ? 0 : result.chunks;
  progress.embedded += result.embedded;
  progress.written += result.written;
  progress.removed += result.removed;
  if (result.status === 'failed' && progress.failures.length < maxReportedFailures) {
    progress.failures.push({ source: result.source, reason: result.reason ?? 'unknown error' });
  }
}

/** Workflow id of a job: meaningful, and unique across tenants (the scoped-id encoding). */
export function ingestJobWorkflowId(tenantId: string, jobId: string): string {
  return scopedId('ingest', tenantId, jobId);
}

/** The job's id before ids were escaped; looked up only with a check of the run's tenant and job attributes. */
export function legacyIngestJobWorkflowId(tenantId: string, jobId: string): string {
  return `ingest-${tenantId}-${jobId}`;
}
