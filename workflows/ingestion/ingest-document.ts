// One document of an ingestion job: fetch → parse → chunk → embed → upsert → delete stale points → record.
// Only ids, hashes and counts pass between the steps; content and vectors are staged in Postgres. A document
// that cannot be ingested ends as "failed" with its reason instead of failing the job.
import { ActivityFailure, isCancellation, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { IngestionActivities } from '../../activities/ingestion/index.js';
import type { DocumentResult, IngestDocumentInput } from '../../ingestion/ingestion-job.js';
import { tenantAttribute } from '../search-attributes.js';
import * as presets from './activity-options.js';
import { ingestionJobAttribute, ingestionStatusAttribute } from './search-attributes.js';

const { fetchSource } = proxyActivities<IngestionActivities>(presets.fetchOptions);
const { parseSource, chunkSource } = proxyActivities<IngestionActivities>(presets.parseOptions);
const { embedChunks, upsertChunks } = proxyActivities<IngestionActivities>(presets.batchOptions);
const { deleteStaleChunks, finishDocument, failDocument, removeDocument } = proxyActivities<IngestionActivities>(presets.bookkeepingOptions);

export async function ingestDocumentWorkflow(input: IngestDocumentInput): Promise<DocumentResult> {
  const { tenantId, documentId, source, jobId } = input;
  upsertSearchAttributes([
    { key: tenantAttribute, value: tenantId },
    { key: ingestionJobAttribute, value: jobId },
    { key: ingestionStatusAttribute, value: 'running' },
  ]);
  const ref = { tenantId, documentId };
  const finish = (result: Omit<DocumentResult, 'documentId' | 'source'>): DocumentResult => {
    upsertSearchAttributes([{ key: ingestionStatusAttribute, value: result.status }]);
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
    const reason = error instanceof ActivityFailure && error.cause ? error.cause.message : (error as Error).message;
    await failDocument({ ...ref, source, reason, jobId });
    return finish({ status: 'failed', chunks: 0, embedded: 0, written: 0, removed: 0, reason });
  }
}
