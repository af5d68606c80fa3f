// Ingestion steps 5 and 6: write pending chunks to the vector store, then delete the stale ones.
import { Context } from '@temporalio/activity';
import { chunkKeywordVector } from '../../ingestion/keyword-vector.js';
import type { IngestionActivityDependencies } from './dependencies.js';
import type { DocumentRef } from './embed-chunks.js';
import { withFailureTranslation } from '../application-failure.js';
import { heartbeating } from './heartbeating.js';

const upsertBatch = 256;

/** Writes pending chunks (with their dense and keyword vectors) to the vector store under their point ids. */
export function createUpsertChunksActivity(deps: IngestionActivityDependencies) {
  return async function upsertChunks(input: DocumentRef): Promise<{ written: number }> {
    return withFailureTranslation(() => heartbeating(async () => {
      const context = Context.current();
      let written = 0;
      for (;;) {
        const batch = await deps.store.chunksToUpsert(input, upsertBatch);
        if (batch.length === 0) return { written };
        await deps.index.upsert(batch.map((chunk) => ({
          id: chunk.pointId,
          dense: chunk.embedding,
          sparse: chunkKeywordVector(chunk.payload),
          payload: chunk.payload,
        })));
        await deps.store.markIndexed(input, batch.map((chunk) => chunk.pointId));
        written += batch.length;
        context.heartbeat({ written });
      }
    }));
  };
}

/** Deletes the document's stale points, and any point of it the catalog does not know (left by a lost write). */
export function createDeleteStaleChunksActivity(deps: IngestionActivityDependencies) {
  return async function deleteStaleChunks(input: DocumentRef): Promise<{ removed: number }> {
    return withFailureTranslation(async () => {
      const [stale, live, indexed] = await Promise.all([
        deps.store.staleChunkIds(input),
        deps.store.liveChunkIds(input),
        deps.index.listDocumentPointIds(input.tenantId, input.documentId),
      ]);
      const unknown = indexed.filter((id) => !live.has(id));
      const removed = [...new Set([...stale, ...unknown])];
      await deps.index.deletePoints(input.tenantId, removed);
      await deps.store.dropChunks(input, stale);
      return { removed: unknown.length };
    });
  };
}
