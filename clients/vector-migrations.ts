// Starting vector store migrations and reading their progress through Temporal (the migrate CLI's path).
// A migration id is an idempotency key: starting it again follows the run already there.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { migrationWorkflowId, type MigrateVectorsInput, type MigrationProgress } from '../ingestion/vector-migration.js';
import type { migrateVectorsWorkflow } from '../workflows/ingestion/migrate-vectors.js';
import { migrationProgressQuery } from '../workflows/ingestion/messages.js';
import { tenantAttribute } from '../workflows/search-attributes.js';
import { ingestionJobAttribute, ingestionStatusAttribute } from '../workflows/ingestion/search-attributes.js';
import { runFailure } from './run-failure.js';
import { startOnce } from './start-once.js';

export async function startMigration(temporal: Client, taskQueue: string, input: Omit<MigrateVectorsInput, 'resume'>): Promise<{ workflowId: string; started: boolean }> {
  const workflowId = migrationWorkflowId(input.migrationId);
  const started = await startOnce<typeof migrateVectorsWorkflow>(temporal, 'migrateVectorsWorkflow', {
    taskQueue,
    workflowId,
    args: [input],
    typedSearchAttributes: [
      ...(input.tenantId !== undefined ? [{ key: tenantAttribute, value: input.tenantId }] : []),
      { key: ingestionJobAttribute, value: input.migrationId },
      { key: ingestionStatusAttribute, value: 'running' },
    ],
    staticSummary: `copy ${input.tenantId ?? 'every tenant'}'s points from ${input.from} to ${input.to}`,
  });
  return { workflowId, started };
}

export type MigrationState =
  | { state: 'running' | 'completed'; progress: MigrationProgress }
  | { state: 'failed'; error: string }
  | { state: 'not-found' };

/** The migration's progress: live while it runs (progress query), its result once done. */
export async function migrationState(temporal: Client, migrationId: string): Promise<MigrationState> {
  const handle = temporal.workflow.getHandle<typeof migrateVectorsWorkflow>(migrationWorkflowId(migrationId));
  try {
    const status = (await handle.describe()).status.name;
    if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return { state: 'running', progress: await handle.query(migrationProgressQuery) };
    if (status === 'COMPLETED') return { state: 'completed', progress: await handle.result() };
    return { state: 'failed', error: await runFailure(handle, status) };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { state: 'not-found' };
    throw error;
  }
}
