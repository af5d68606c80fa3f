// Queries of the ingestion workflows, as exported constants the clients share.
import { defineQuery } from '@temporalio/workflow';
import type { JobProgress } from '../../ingestion/ingestion-job.js';
import type { MigrationProgress } from '../../ingestion/vector-migration.js';

/** Documents handled so far, by outcome, with the first failures and their reasons. */
export const progressQuery = defineQuery<JobProgress>('progress');

/** A vector store migration's progress: points counted in the source and copied so far. */
export const migrationProgressQuery = defineQuery<MigrationProgress>('progress');
