// One document of an ingestion job: fetch → parse → chunk → embed → upsert → delete stale points → record.
// Only ids, hashes and counts pass between the steps; content and vectors are staged in Postgres. A document
// that cannot be ingested ends as "failed" with its reason instead of failing the job. It first waits for one
// of its tenant's processing slots (shared by all the tenant's jobs) and gives it back when it ends.
import { CancellationScope, isCancellation, patched, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { IngestionActivities } from '../../activities/ingestion/index.js';
import type { DocumentResult, IngestDocumentInput } from '../../ingestion/ingestion-job.js';
import { failureCause } from '../failures.js';
import * as presets from './activity-options.js';
import { markRunning, markStatus } from './run-status.js';

const { fetchSource } = proxyActivities<IngestionActivities>(presets.fetchOptions);
const { parseSource, chunkSource } = proxyActivities<IngestionActivities>(presets.parseOptions);
const { embedChunks, upsertChunks } = proxyActivities<IngestionActivities>(presets.batchOptions);
const { deleteStaleChunks, finishDocument, failDocument, removeDocument, claimDocumentSlot, releaseDocumentSlot } = proxyActivities<IngestionActivities>(presets.bookkeepingOptions);

export async function ingestDocumentWorkflow(input: IngestDocumentInput): Promise<DocumentResult> {
  const { tenantId } = input;
  markRunning(tenantId, input.jobId);
  if (!patched('tenant-document-slots')) return ingestDocument(input);
  const slot = { tenantId, holder: workflowInfo().workflowId };
  for (let wait = 250; !(await claimDocumentSlot(slot)); wait = Math.min(wait * 2, 2_000)) await sleep(wait);
  try {
    return await ingestDocument(input);
  } finally {
    // A slot that cannot be given back now expires with its lease; the document's outcome stands.
    await CancellationScope.nonCancellable(() => releaseDocumentSlot(slot)).catch(() => undefined);
  }
}

async function ingestDocument(input: IngestDocumentInput): Promise<DocumentResult> {
  const { tenantId, documentId, source, jobId } = input;
  const ref = { tenantId, documentId };
  const finish = (result: Omit<DocumentResult, 'documentId' | 'source'>): DocumentResult => {
    markStatus(result.status);
    return { documentId, source, ...result };
  };
  try {
    if (input.action === 'delete') {
      const { removed } = await removeDocument(ref);
      return finish({ status: 'deleted', chunks: 0, embedded: 0, written: 0, removed });
    }
    const fetched = await fetchSource({ ...ref, source });
    if (fetched.status === 'unchanged') return finish({ status: 'unchanged', chunks: fetched.chunks, embedded: 0, written: 0, removed: 0 });
    const version = { ...ref, source, contentHash: fetched.contentHash };
    const { title } = await parseSource(version);
    const plan = await chunkSource(version);
    const { embedded } = plan.toEmbed > 0 ? await embedChunks(ref) : { embedded: 0 };
    const { written } = plan.toUpsert > 0 ? await upsertChunks(ref) : { written: 0 };
    const { removed } = await deleteStaleChunks(ref);
    await finishDocument({ ...version, title, chunks: plan.chunks, jobId });
    return finish({ status: 'indexed', chunks: plan.chunks, embedded, written, removed });
  } catch (error) {
    if (isCancellation(error)) throw error;
    const reason = (failureCause(error) as Error).message;
    await failDocument({ ...ref, source, reason, jobId });
    return finish({ status: 'failed', chunks: 0, embedded: 0, written: 0, removed: 0, reason });
  }
}
