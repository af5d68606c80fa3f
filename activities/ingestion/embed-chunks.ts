// Ingestion step 4: vectors for the chunks that have none, charged to the tenant's token quota batch by batch.
import { Context } from '@temporalio/activity';
import { embeddingInput } from '../../ingestion/chunk-document.js';
import type { IngestionActivityDependencies } from './dependencies.js';
import { withFailureTranslation } from '../application-failure.js';
import { chargeKey, idsDigest } from './charge-key.js';
import { heartbeating } from './heartbeating.js';

export interface DocumentRef {
  tenantId: string;
  documentId: string;
}

/**
 * Embeds the document's chunks that have no vector yet, one batch at a time; each batch's vectors are
 * stored before the next, so a retry after a crash continues where the last one stopped. Heartbeats the
 * count after every batch. Each batch counts its tokens against the tenant's quota before it is embedded.
 */
export function createEmbedChunksActivity(deps: IngestionActivityDependencies) {
  return async function embedChunks(input: DocumentRef): Promise<{ embedded: number }> {
    return withFailureTranslation(() => heartbeating(async () => {
      const context = Context.current();
      let embedded = 0;
      for (;;) {
        const batch = await deps.store.chunksToEmbed(input, deps.embedBatchSize);
        if (batch.length === 0) return { embedded };
        const texts = batch.map((chunk) => embeddingInput(chunk.payload));
        // Keyed by the run and the batch's chunks: a retry that meets the same unembedded batch is not charged twice.
        const key = chargeKey(context.info, `embed:${idsDigest(batch.map((chunk) => chunk.pointId))}`);
        await deps.tenantLimits.charge(input.tenantId, key, { tokens: texts.reduce((sum, text) => sum + estimatedTokens(text), 0) });
        const vectors = await deps.embedder.embed(texts, context.cancellationSignal);
        await deps.store.storeEmbeddings(input, batch.map((chunk) => chunk.pointId), vectors);
        embedded += batch.length;
        context.heartbeat({ embedded });
      }
    }));
  };
}

/** About four characters a token (English text; the quota is an estimate, not a bill). */
function estimatedTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
