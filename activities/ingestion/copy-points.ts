// The vector store migration's steps: count the source, copy its points page by page, record what the target holds.
import { Context } from '@temporalio/activity';
import type { IngestionActivityDependencies } from './dependencies.js';
import { withFailureTranslation } from '../application-failure.js';
import { heartbeating } from './heartbeating.js';

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
      // Opening a large embedded store reads its whole log: heartbeat meanwhile.
      return withFailureTranslation(() => heartbeating(async () => ({ points: await (await deps.openStore(input.store)).count(input.tenantId) })));
    },

    /**
     * Copies up to `pages` pages of points with their vectors and payload. Heartbeats the cursor after every
     * page written (and every two seconds while opening a store or writing a page), so a retry after a crash
     * starts after the last page written instead of at the beginning.
     */
    async copyPoints(input: CopyPointsInput): Promise<CopiedPoints> {
      return withFailureTranslation(async () => {
        const context = Context.current();
        const resumed = context.info.heartbeatDetails as CopyHeartbeat | undefined;
        const state: CopyHeartbeat = resumed ?? { ...(input.cursor !== undefined ? { cursor: input.cursor } : {}), points: 0, pages: 0, done: false };
        // Every heartbeat carries the state: a retry reads the last one's details.
        const timer = setInterval(() => context.heartbeat({ ...state }), 2_000);
        try {
          if (!state.done) {
            const [source, target] = await Promise.all([deps.openStore(input.from), deps.openStore(input.to)]);
            await target.ensureCollection();
            while (state.pages < input.pages && !state.done) {
              const page = await source.scroll({ ...(input.tenantId !== undefined ? { tenant: input.tenantId } : {}), ...(state.cursor !== undefined ? { from: state.cursor } : {}), limit: input.pageSize });
              if (page.points.length > 0) await target.upsert(page.points);
              state.points += page.points.length;
              state.pages += 1;
              if (page.next !== undefined) state.cursor = page.next;
              else delete state.cursor;
              state.done = page.next === undefined;
              context.heartbeat({ ...state });
            }
          }
          return { points: state.points, pages: state.pages, ...(state.cursor !== undefined ? { next: state.cursor } : {}) };
        } finally {
          clearInterval(timer);
        }
      });
    },

    /** Records the target as holding the documents the source was recorded as holding (of the tenant, or all). */
    async recordCopiedDocuments(input: { from: string; to: string; tenantId?: string }): Promise<{ documents: number }> {
      return { documents: await deps.store.copyWritten(input.from, input.to, input.tenantId) };
    },
  };
}
