// A chat worker process exposes /metrics with its step timings and the Temporal SDK's worker metrics.
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatSocket } from '../support/chat-socket.js';
import { freePort } from '../support/free-port.js';
import { startProcess, stopProcess, waitUntil } from '../support/processes.js';
import { testEnvironment } from '../support/services.js';
import { startApi, uniqueTaskQueue, type TestApi } from '../support/stack.js';

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((candidate) =>
    candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('chat worker metrics', () => {
  const taskQueue = uniqueTaskQueue('metrics');
  let worker: ChildProcess;
  let api: TestApi;
  let metricsUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    worker = startProcess('metrics-worker', 'tsx', ['workers/chat-worker.ts'], testEnvironment({ CHAT_TASK_QUEUE: taskQueue, METRICS_PORT: String(port) }));
    api = await startApi(taskQueue);
    await waitUntil('worker metrics', async () => (await fetch(metricsUrl)).ok, 90_000, worker);
  });
  afterAll(async () => {
    await api?.close();
    await stopProcess(worker);
  });

  it('counts and times each step of a chat, and exports the SDK worker metrics', async () => {
    const socket = await ChatSocket.open(api.wsUrl, 'metrics');
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: 'Say hello.', maxTokens: 16 });
    expect((await socket.waitForEnd(requestId)).at(-1)!.type).toBe('answer.done');
    await socket.close();

    const text = await (await fetch(metricsUrl)).text();
    for (const step of ['plan', 'preSafety', 'route', 'generate', 'postSafety', 'persist']) {
      expect(sample(text, 'ragtime_workflow_step_duration_seconds_count', { step, outcome: 'success' }), step).toBeGreaterThanOrEqual(1);
    }
    const generateSeconds = sample(text, 'ragtime_workflow_step_duration_seconds_sum', { step: 'generate', outcome: 'success' })!;
    expect(generateSeconds).toBeGreaterThan(0);
    expect(generateSeconds).toBeLessThan(120);
    expect(text).toMatch(/^temporal_\w+/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toMatch(/requestId|tenant="/);
  });
});
