// The one main() of the worker processes: configuration, JSON logs, telemetry (/metrics, traces), start-up
// checks that name a missing dependency, then the worker until SIGTERM/SIGINT drains it. Each worker's file
// says only what differs: its dependencies, how it is built, what its "running" line reports.
import { fileURLToPath } from 'node:url';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { exitOnUnhandledErrors } from '../infra/process-guards.js';
import { requireDependencies, type Dependency } from '../infra/dependency-check.js';
import { startWorkerTelemetry, type WorkerTelemetry } from './worker-telemetry.js';

export interface WorkerProcess {
  /** The logger's name; the service is `ragtime-<name>` and the lines say "chat worker running" for 'chat-worker'. */
  name: 'chat-worker' | 'ingestion-worker';
  /** Checked in order before anything is built. */
  dependencies(config: Config): Dependency[];
  create(config: Config, telemetry: WorkerTelemetry): Promise<{ worker: Worker; close(): Promise<void> }>;
  /** The fields of the "running" line. */
  describe(config: Config): Record<string, unknown>;
}

/** Runs the process when `moduleUrl` is the entry point (`tsx workers/chat-worker.ts`), not when a test imports it. */
export function runWhenEntryPoint(moduleUrl: string, worker: WorkerProcess): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  runWorkerProcess(worker).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

async function runWorkerProcess(definition: WorkerProcess): Promise<void> {
  const config = loadConfig();
  const label = definition.name.replace('-', ' ');
  const logger = createLogger(config.LOG_LEVEL, definition.name, { logPrompts: config.LOG_PROMPTS });
  exitOnUnhandledErrors(logger);
  const telemetry = await startWorkerTelemetry(config, logger, `ragtime-${definition.name}`);
  // Fails fast, naming the dependency, instead of a worker that polls but can only fail its activities.
  await requireDependencies(config, definition.dependencies(config));
  const { worker, close } = await definition.create(config, telemetry);
  // The SDK's signal handler starts the graceful shutdown once and then removes itself; a launcher (tsx, a
  // shell) may relay the SIGTERM the process group already got, which must not kill the drain.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => logger.info({ signal }, 'shutting down gracefully'));
  logger.info(definition.describe(config), `${label} running`);
  await worker.run();
  await close();
  await telemetry.tracing?.shutdown();
  logger.info(`${label} stopped`);
}
