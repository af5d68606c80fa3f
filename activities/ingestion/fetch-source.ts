import { Context } from '@temporalio/activity';
import { contentHash } from '../../ingestion/content-hash.js';
import { ingestionSettings, type IngestionActivityDependencies } from './dependencies.js';
import { translatingErrors } from './activity-failure.js';
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
 * Reads the source; an unchanged version (same bytes, same settings, indexed) stops here with no write. A new
 * version counts one document and its bytes against the tenant's quotas.
 */
export function createFetchSourceActivity(deps: IngestionActivityDependencies) {
  return async function fetchSource(input: FetchSourceInput): Promise<FetchSourceResult> {
    return translatingErrors(() => heartbeating(async () => {
      const { bytes, contentType } = await deps.reader.read(input.source, Context.current().cancellationSignal);
      const hash = contentHash(bytes);
      const key = { tenantId: input.tenantId, documentId: input.documentId };
      const indexed = await deps.store.catalogEntry(key);
      if (indexed?.status === 'indexed' && indexed.contentHash === hash && indexed.settings === ingestionSettings(deps)) {
        return { status: 'unchanged', chunks: indexed.chunkCount };
      }
      await deps.tenantLimits.charge(input.tenantId, { documents: 1, bytes: bytes.byteLength });
      await deps.store.stageBlob(key, hash, bytes, contentType);
      return { status: 'fetched', contentHash: hash, bytes: bytes.byteLength };
    }));
  };
}
