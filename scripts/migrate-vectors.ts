// Copies points from one vector store to another through the migrateVectorsWorkflow (a running ingestion
// worker does the work, with no embedding: the points keep their vectors), drawing progress and ending with a
// summary. Resumable: the workflow survives worker restarts, and running the command again with the same --id
// follows the migration already under way. Exits 1 when it failed.
// Usage: tsx scripts/migrate-vectors.ts --to <store> [--from <store>] (--tenant t | --all) [--id migration-id] [--page-size n]
//   <store> is embedded:<directory> or qdrant:<url>; --from defaults to the configured store (VECTOR_STORE…).
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../infra/config.js';
import { configuredStore } from '../infra/ingestion/vector-adapters.js';
import { migrationState, startMigration } from '../clients/vector-migrations.js';
import { formatLocation, parseLocation } from '../infra/vector-store/store-location.js';
import type { MigrationProgress } from '../ingestion/vector-migration.js';

const usage = 'usage: tsx scripts/migrate-vectors.ts --to <store> [--from <store>] (--tenant t | --all) [--id migration-id] [--page-size n]\n  <store>: embedded:<directory> or qdrant:<url>';
const args = process.argv.slice(2);
const flag = (name: string): boolean => {
  const index = args.indexOf(`--${name}`);
  if (index === -1) return false;
  args.splice(index, 1);
  return true;
};
const option = (name: string): string | undefined => {
  const index = args.indexOf(`--${name}`);
  if (index === -1) return undefined;
  const [, value] = args.splice(index, 2);
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
};

async function main(): Promise<number> {
  const config = loadConfig();
  const all = flag('all');
  const tenantId = option('tenant');
  const to = option('to');
  const from = option('from');
  const pageSize = option('page-size');
  const migrationId = option('id') ?? `migration-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomUUID().slice(0, 6)}`;
  if (args.length > 0 || !to || all === (tenantId !== undefined)) {
    console.error(usage);
    return 2;
  }
  const input = {
    migrationId,
    from: formatLocation(from ? parseLocation(from) : configuredStore(config)),
    to: formatLocation(parseLocation(to)),
    ...(tenantId !== undefined ? { tenantId } : {}),
    ...(pageSize !== undefined ? { pageSize: Number(pageSize) } : {}),
  };
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const { workflowId, started } = await startMigration(temporal, config.INGESTION_TASK_QUEUE, input);
    console.log(`migration ${migrationId}: ${tenantId ?? 'every tenant'}, ${input.from} → ${input.to} (workflow ${workflowId}${started ? '' : ', already started: following it'})`);
    console.log(`Temporal UI: ${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${workflowId}`);
    let last = '';
    for (;;) {
      const state = await migrationState(temporal, migrationId);
      if (state.state === 'not-found') throw new Error(`migration ${migrationId} not found`);
      if (state.state === 'failed') {
        console.error(`migration failed: ${state.error}`);
        return 1;
      }
      const line = progressLine(state.progress);
      if (line !== last) console.log((last = line));
      if (state.state === 'completed') {
        console.log(`copied ${state.progress.copied} point(s); ingestion pointed at ${input.to} now finds them unchanged`);
        return 0;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await connection.close();
  }
}

function progressLine(progress: MigrationProgress): string {
  const width = 30;
  const ratio = progress.total > 0 ? Math.min(1, progress.copied / progress.total) : progress.status === 'completed' ? 1 : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${progress.copied}/${progress.total} points · ${progress.status}`;
}

main().then((code) => process.exit(code), (error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
