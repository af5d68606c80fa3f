// A Temporal worker run inside the test process, for the chat (stack.ts) and ingestion (ingestion.ts) helpers:
// the SDK runtime is installed once per process, whichever helper starts the first worker, and stopping a
// worker shuts it down, waits for it and closes what it was built with.
import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';

export interface RunningWorker {
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** Before the first worker (or native connection) of the process. */
export function installRuntimeOnce(): void {
  if (runtimeInstalled) return;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
  }
  runtimeInstalled = true;
}

export function runInProcess(worker: Worker, close: () => Promise<void>): RunningWorker {
  const running = worker.run();
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await close();
    },
  };
}
