// Ingestion step 1: read the source, stop if this version is already indexed here, else stage its bytes.
import { Context } from '@temporalio/activity';
import { contentHash } from '../../ingestion/content-hash.js';
import { ingestionSettings, type IngestionActivityDependencies } from './dependencies.js';
import { withFailureTranslation } from '../application-failure.js';
import { chargeKey } from './charge-key.js';
import { heartbeating } from './heartbeating.js';

export interface FetchSourceInput {
  tenantId: string;
  documentId: string;
  source: string;
}

export type FetchSourceResult =
  | { status: 'unchanged'; chunks: number }
  | { status: 'fetched'; contentHash: string; bytes: number };

/**
 * Reads the source; an unchanged version (same bytes, same settings, its points held by the vector store written
 * to now) stops here with no write. A new version counts one document and its bytes against the tenant's quotas. A
 * version indexed in another store, or never recorded in this one, goes on to be written here from the vectors
 * staged in Postgres: its chunks become pending again, none is embedded again.
 */
export function createFetchSourceActivity(deps: IngestionActivityDependencies) {
  return async function fetchSource(input: FetchSourceInput): Promise<FetchSourceResult> {
    return withFailureTranslation(() => heartbeating(async () => {
      const { bytes, contentType } = await deps.reader.read(input.source, Context.current().cancellationSignal);
      const hash = contentHash(bytes);
      const key = { tenantId: input.tenantId, documentId: input.documentId };
      const settings = ingestionSettings(deps);
      const [indexed, written] = await Promise.all([deps.store.catalogEntry(key), deps.store.writtenVersion(key)]);
      // The chunks' states describe this store only when it holds the version the catalog last indexed.
      const inThisStore = indexed?.contentHash != null && written?.contentHash === indexed.contentHash && written.settings === indexed.settings;
      const current = indexed?.status === 'indexed' && indexed.contentHash === hash && indexed.settings === settings;
      // Unchanged only when the store itself still holds the points: its record can outlive its data (a wiped
      // directory, a dropped collection), and then the version is written again from the staged vectors.
      const held = current && await holdsLiveChunks(deps, key, indexed.chunkCount);
      if (held) {
        // Indexed before stores were recorded (or by a copy): the store now says what it holds.
        if (!inThisStore) await deps.store.recordWritten(key, { source: input.source, contentHash: hash, settings, chunkCount: indexed.chunkCount });
        return { status: 'unchanged', chunks: indexed.chunkCount };
      }
      const newVersion = !current;
      // Once per run and version: a retried fetch of the same bytes is not counted again.
      const quotaKey = chargeKey(Context.current().info, `fetch:${input.documentId}:${hash}`);
      if (newVersion) await deps.tenantLimits.charge(input.tenantId, quotaKey, { documents: 1, bytes: bytes.byteLength });
      if (!inThisStore || current) await deps.store.requeueChunks(key);
      await deps.store.stageBlob(key, hash, bytes, contentType);
      return { status: 'fetched', contentHash: hash, bytes: bytes.byteLength };
    }));
  };
}

/** Whether the vector store holds exactly the document's live chunks, `chunkCount` of them. */
async function holdsLiveChunks(deps: IngestionActivityDependencies, key: { tenantId: string; documentId: string }, chunkCount: number): Promise<boolean> {
  const [live, held] = await Promise.all([deps.store.liveChunkIds(key), deps.index.listDocumentPointIds(key.tenantId, key.documentId)]);
  return live.size === chunkCount && held.length === live.size && held.every((id) => live.has(id));
}
