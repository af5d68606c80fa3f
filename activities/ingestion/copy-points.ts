import { ApplicationFailure, Context } from '@temporalio/activity';
import type { VectorIndex } from '../../ingestion/ports.js';
import { StoreLocationError } from '../../infra/vector-store/store-location.js';
import type { IngestionActivityDependencies } from './dependencies.js';
import { translatingErrors } from './activity-failure.js';

export interface CopyPointsInput {
  from: string;
  to: string;
  tenantId?: string;
  /** Where to start in the source (the `next` of the previous call); from the beginning when absent. */
  cursor?: string;
  /** Pages to copy in this call at most. */
  pages: number;
  /** Points per page. */
  pageSize: number;
}

export interface CopiedPoints {
  points: number;
  pages: number;
  /** Where the next call starts; absent when the source has no more points. */
  next?: string;
}

interface CopyHeartbeat {
  cursor?: string;
  points: number;
  pages: number;
  done: boolean;
}

/** Activities of the vector store migration: count, copy page by page (no embedding), record what the target holds. */
export function createMigrationActivities(deps: IngestionActivityDependencies) {
  return {
    async countPoints(input: { store: string; tenantId?: string }): Promise<{ points: number }> {
      return translatingErrors(async () => ({ points: await (await openStore(deps, input.store)).count(input.tenantId) }));
    },

    /**
     * Copies up to `pages` pages of points with their vectors and payload. Heartbeats the cursor after every
     * page written, so a retry after a crash starts after the last page written instead of at the beginning.
     */
    async copyPoints(input: CopyPointsInput): Promise<CopiedPoints> {
      return translatingErrors(async () => {
        const context = Context.current();
        const resumed = context.info.heartbeatDetails as CopyHeartbeat | undefined;
        let cursor = resumed ? resumed.cursor : input.cursor;
        let points = resumed?.points ?? 0;
        let pages = resumed?.pages ?? 0;
        if (!resumed?.done) {
          const [source, target] = await Promise.all([openStore(deps, input.from), openStore(deps, input.to)]);
          await target.ensureCollection();
          while (pages < input.pages) {
            const page = await source.scroll({ ...(input.tenantId !== undefined ? { tenant: input.tenantId } : {}), ...(cursor !== undefined ? { from: cursor } : {}), limit: input.pageSize });
            if (page.points.length > 0) await target.upsert(page.points);
            points += page.points.length;
            pages += 1;
            cursor = page.next;
            context.heartbeat({ ...(cursor !== undefined ? { cursor } : {}), points, pages, done: cursor === undefined } satisfies CopyHeartbeat);
            if (cursor === undefined) break;
          }
        }
        return { points, pages, ...(cursor !== undefined ? { next: cursor } : {}) };
      });
    },

    /** Records the target as holding the documents the source was recorded as holding (of the tenant, or all). */
    async recordCopiedDocuments(input: { from: string; to: string; tenantId?: string }): Promise<{ documents: number }> {
      return { documents: await deps.store.copyWritten(input.from, input.to, input.tenantId) };
    },
  };
}

async function openStore(deps: IngestionActivityDependencies, location: string): Promise<VectorIndex> {
  try {
    return await deps.openStore(location);
  } catch (error) {
    if (error instanceof StoreLocationError) throw ApplicationFailure.nonRetryable(error.message, 'bad_request');
    throw error;
  }
}
