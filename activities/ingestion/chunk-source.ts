// Ingestion step 3: the parsed text becomes the document's chunk set (only changed chunks need embedding).
import { Context } from '@temporalio/activity';
import { RagtimeError } from '../../domain/errors.js';
import { limitExceeded } from '../../ingestion/parsed-document.js';
import type { Chunk } from '../../ingestion/chunk-document.js';
import type { ChunkPayload, ChunkPlan } from '../../ingestion/ports.js';
import type { IngestionActivityDependencies } from './dependencies.js';
import type { StagedVersion } from './parse-source.js';
import { withFailureTranslation } from '../application-failure.js';
import { heartbeating } from './heartbeating.js';

/**
 * Splits the parsed text (in a parse thread) and makes the chunks the document's chunk set: unchanged chunks keep their point
 * (ids come from the content), moved ones keep their vector, and chunks that are gone become stale.
 */
export function createChunkSourceActivity(deps: IngestionActivityDependencies) {
  return async function chunkSource(input: StagedVersion): Promise<ChunkPlan> {
    return withFailureTranslation(() => heartbeating(async () => {
      const key = { tenantId: input.tenantId, documentId: input.documentId };
      const document = await deps.store.parsed(key, input.contentHash);
      if (!document) throw new RagtimeError('staging_missing', `parsed text of ${input.source} is missing`, { retryable: true });
      const chunks = await deps.processor.chunk({ documentId: input.documentId, source: input.source, document }, deps.chunking, Context.current().cancellationSignal);
      if (chunks.length > deps.maxChunks) throw limitExceeded(input.source, `${chunks.length} chunks`, deps.maxChunks, 'INGESTION_MAX_CHUNKS');
      return deps.store.replaceChunks(key, chunks.map((chunk) => ({ pointId: chunk.id, position: chunk.position, payload: payloadOf(input.tenantId, chunk) })));
    }));
  };
}

/** What the chunk's point carries: the chunk with its tenant, without the point id and text offsets. */
function payloadOf(tenant: string, { id: _id, start: _start, end: _end, ...chunk }: Chunk): ChunkPayload {
  return { tenant, ...chunk };
}
