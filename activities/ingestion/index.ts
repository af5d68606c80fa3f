// The ingestion activities as the worker registers them; these names are what the workflows call.
import type { IngestionActivityDependencies } from './dependencies.js';
import { createChunkSourceActivity } from './chunk-source.js';
import { createMigrationActivities } from './copy-points.js';
import { createEmbedChunksActivity } from './embed-chunks.js';
import { createExpandSourcesActivity, createListJobSourcesActivity } from './expand-sources.js';
import { createFetchSourceActivity } from './fetch-source.js';
import { createParseSourceActivity } from './parse-source.js';
import { createFailDocumentActivity, createFinishDocumentActivity, createRemoveDocumentActivity } from './record-document.js';
import { createDeleteStaleChunksActivity, createUpsertChunksActivity } from './upsert-chunks.js';
import { createClaimDocumentSlotActivity, createReleaseDocumentSlotActivity } from './tenant-slots.js';

export function createIngestionActivities(deps: IngestionActivityDependencies) {
  return {
    expandSources: createExpandSourcesActivity(deps),
    listJobSources: createListJobSourcesActivity(deps),
    fetchSource: createFetchSourceActivity(deps),
    parseSource: createParseSourceActivity(deps),
    chunkSource: createChunkSourceActivity(deps),
    embedChunks: createEmbedChunksActivity(deps),
    upsertChunks: createUpsertChunksActivity(deps),
    deleteStaleChunks: createDeleteStaleChunksActivity(deps),
    finishDocument: createFinishDocumentActivity(deps),
    failDocument: createFailDocumentActivity(deps),
    removeDocument: createRemoveDocumentActivity(deps),
    claimDocumentSlot: createClaimDocumentSlotActivity(deps),
    releaseDocumentSlot: createReleaseDocumentSlotActivity(deps),
    ...createMigrationActivities(deps),
  };
}

export type IngestionActivities = ReturnType<typeof createIngestionActivities>;
export type { IngestionActivityDependencies };
