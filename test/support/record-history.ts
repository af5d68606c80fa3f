// Replay fixtures: with RECORD_HISTORIES=1, a test keeps the history of a run it just finished as
// test/fixtures/histories/<name>.json, which test/replay replays against the current workflow code. Re-record
// after a deliberate, versioned change to the workflow (a retired patch, a new step behind one).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { projectRoot } from './processes.js';

export const recordingHistories = process.env.RECORD_HISTORIES === '1';

/** Keeps the run's history as a fixture (with its workflow id: a fusion's child id derives from it). */
export async function recordHistory(temporal: Client, workflowId: string, name: string): Promise<void> {
  if (!recordingHistories) return;
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const file = path.join(projectRoot, 'test/fixtures/histories', `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ workflowId, ...JSON.parse(historyToJSON(history)) }, null, 2)}\n`);
}
