// The document's outcome in the catalog: indexed, failed, or removed with its source.
import { ingestionSettings, type IngestionActivityDependencies } from './dependencies.js';
import { withFailureTranslation } from '../application-failure.js';

export interface FinishDocumentInput {
  tenantId: string;
  documentId: string;
  source: string;
  contentHash: string;
  title: string;
  chunks: number;
  jobId: string;
}

/**
 * Records the indexed version in the catalog and as held by the vector store written to (so an unchanged re-run
 * against the same store stops at fetch), and drops the staged bytes.
 */
export function createFinishDocumentActivity(deps: IngestionActivityDependencies) {
  return async function finishDocument(input: FinishDocumentInput): Promise<void> {
    const settings = ingestionSettings(deps);
    await deps.store.recordWritten(input, { source: input.source, contentHash: input.contentHash, settings, chunkCount: input.chunks });
    await deps.store.markDocumentIndexed(input, {
      source: input.source, title: input.title, contentHash: input.contentHash, settings, chunkCount: input.chunks, jobId: input.jobId,
    });
  };
}

export function createFailDocumentActivity(deps: IngestionActivityDependencies) {
  return async function failDocument(input: { tenantId: string; documentId: string; source: string; reason: string; jobId: string }): Promise<void> {
    await deps.store.markDocumentFailed(input, { source: input.source, reason: input.reason, jobId: input.jobId });
  };
}

/** Removes a document whose source is gone: its points in the current store, its chunks and catalog entry. */
export function createRemoveDocumentActivity(deps: IngestionActivityDependencies) {
  return async function removeDocument(input: { tenantId: string; documentId: string }): Promise<{ removed: number }> {
    return withFailureTranslation(async () => {
      const removed = (await deps.index.listDocumentPointIds(input.tenantId, input.documentId)).length;
      await deps.index.deleteDocument(input.tenantId, input.documentId);
      await deps.store.forgetDocument(input);
      return { removed };
    });
  };
}
