import { defineQuery } from '@temporalio/workflow';
import type { JobProgress } from '../../ingestion/ingestion-job.js';

/** Documents handled so far, by outcome, with the first failures and their reasons. */
export const progressQuery = defineQuery<JobProgress>('progress');
