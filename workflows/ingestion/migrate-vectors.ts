// Copies a tenant's (or every) point from one vector store to another, page by page, with no embedding: the
// points travel with their vectors. Each copy activity heartbeats its cursor, so a retry after a crash
// continues from the last page written; the run continues as new every `pagesPerRun` pages, carrying cursor
// and progress. At the end the target is recorded as holding what the source held, so ingestion against the
// target finds those documents unchanged. The progress query and search attributes let operators follow it.
import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { IngestionActivities } from '../../activities/ingestion/index.js';
import { migrationPageSize, migrationProblems, type MigrateVectorsInput, type MigrationProgress } from '../../ingestion/vector-migration.js';
import * as presets from './activity-options.js';
import { migrationProgressQuery } from './messages.js';
import { failingTogether, markRunning, markStatus, refuseInput } from './run-status.js';

const { copyPoints } = proxyActivities<IngestionActivities>(presets.copyOptions);
const { countPoints } = proxyActivities<IngestionActivities>(presets.expandOptions);
const { recordCopiedDocuments } = proxyActivities<IngestionActivities>(presets.bookkeepingOptions);

/** Pages copied by one activity call by default (its heartbeats carry the cursor in between). */
const defaultPagesPerCall = 20;
const defaultPagesPerRun = 400;

export async function migrateVectorsWorkflow(input: MigrateVectorsInput): Promise<MigrationProgress> {
  refuseInput(migrationProblems(input));
  const { migrationId, tenantId, from, to } = input;
  const progress: MigrationProgress = input.resume?.progress ?? { migrationId, ...(tenantId !== undefined ? { tenantId } : {}), from, to, status: 'counting', total: 0, copied: 0 };
  setHandler(migrationProgressQuery, () => progress);
  markRunning(tenantId, migrationId);
  const scope = { from, to, ...(tenantId !== undefined ? { tenantId } : {}) };
  return failingTogether(progress, async () => {
    if (!input.resume) progress.total = (await countPoints({ store: from, ...(tenantId !== undefined ? { tenantId } : {}) })).points;
    progress.status = 'copying';
    let cursor: string | undefined = input.resume?.cursor;
    let pages = 0;
    const perRun = Math.max(1, input.pagesPerRun ?? defaultPagesPerRun);
    for (;;) {
      if (cursor !== undefined && (pages >= perRun || workflowInfo().continueAsNewSuggested)) {
        await continueAsNew<typeof migrateVectorsWorkflow>({ ...input, resume: { cursor, progress } });
      }
      const copied = await copyPoints({ ...scope, ...(cursor !== undefined ? { cursor } : {}), pages: Math.min(input.pagesPerCall ?? defaultPagesPerCall, perRun - pages), pageSize: input.pageSize ?? migrationPageSize });
      progress.copied += copied.points;
      pages += copied.pages;
      cursor = copied.next;
      if (cursor === undefined) break;
    }
    progress.status = 'recording';
    await recordCopiedDocuments(scope);
    progress.status = 'completed';
    markStatus('completed');
    return progress;
  });
}
