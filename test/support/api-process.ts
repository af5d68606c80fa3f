// The API as its own process (tsx api/server.ts) on a free port, for tests that must see it survive: a crash
// there ends that process, not the test runner. Chat turns run on a worker in the test process.
import type { ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';
import { startProcess, stopProcess, waitUntil } from './processes.js';
import { testEnvironment } from './services.js';

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  /** The process is running and /readyz answers 200 within `timeoutMs`. */
  healthy(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startApiProcess(name: string, taskQueue: string, overrides: Record<string, string> = {}): Promise<ApiProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startProcess(name, 'tsx', ['api/server.ts'], testEnvironment({ CHAT_TASK_QUEUE: taskQueue, API_PORT: String(port), ...overrides }));
  await waitUntil(`${name} ready`, async () => (await fetch(`${url}/readyz`)).ok, 90_000, child);
  return {
    child,
    url,
    wsUrl: `ws://127.0.0.1:${port}/v1/chat/ws`,
    async healthy(timeoutMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      try {
        return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) })).ok;
      } catch {
        return false;
      }
    },
    stop: () => stopProcess(child),
  };
}
