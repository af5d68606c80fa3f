// A chat worker inside the API process, sharing the API's Temporal connection, so chat turns start eagerly:
// the server hands the first workflow task straight back with the start call, and the plan, screen and route
// steps begin without waiting for a worker to poll (API_EMBEDDED_WORKER). Separate chat workers still serve
// the queue: they take the turns this process does not, and every turn once this process stops.
import { hostname } from 'node:os';
import { NativeConnection, Runtime } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import { createLogger, temporalLogger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics/metrics.js';
import type { Tracing } from '../infra/tracing/tracing.js';
import { createChatWorker } from './chat-worker.js';

export interface EmbeddedChatWorker {
  /** Shared with the API's Temporal client, whose owner closes it after stop(). */
  connection: NativeConnection;
  identity: string;
  /** Finishes or hands back what it runs (the worker's shutdown grace) and closes the worker's own adapters. */
  stop(): Promise<void>;
}

export async function startEmbeddedChatWorker(config: Config, options: { metrics?: Metrics; tracing?: Tracing; workflowBundlePath?: string; installRuntime?: boolean } = {}): Promise<EmbeddedChatWorker> {
  const { installRuntime = true, ...workerOptions } = options;
  if (installRuntime) {
    // No signal handlers of its own: the API drains its streams first, then stops this worker.
    Runtime.install({ logger: temporalLogger(createLogger(config.LOG_LEVEL, 'api-chat-worker', { logPrompts: config.LOG_PROMPTS })), shutdownSignals: [] });
  }
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const identity = `api-${process.pid}@${hostname()}`;
  const { worker, close } = await createChatWorker(config, { connection, identity, ...workerOptions });
  const running = worker.run();
  return {
    connection,
    identity,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await close();
    },
  };
}
