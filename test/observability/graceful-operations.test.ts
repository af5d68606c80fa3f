// Graceful operations: SIGTERM on a worker mid-answer hands the stream to another worker and the client
// still receives one complete answer; SIGTERM on the API lets the running answer finish before it exits
// and refuses new requests meanwhile. (Start-up with a dependency missing: start-up-checks.test.ts.)
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ChatSocket, answerOf, seqsOf } from '../support/chat-socket.js';
import { freePort } from '../support/free-port.js';
import { apiKeyFor } from '../support/identities.js';
import { signalGroup, startProcess, stopProcess, waitUntil } from '../support/processes.js';
import { testEnvironment } from '../support/services.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';
import { chatWorkflowId } from '../../domain/chat/ids.js';

const longQuestion = 'Write a very long story about a dragon who learns to sail. Make it at least 1500 words.';

function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process still running after ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); resolve(code); });
  });
}

function deltas(socket: ChatSocket, requestId: string): number {
  return socket.for(requestId).filter((event) => event.type === 'answer.delta').length;
}

describe('SIGTERM on a chat worker during a streaming answer', () => {
  const taskQueue = uniqueTaskQueue('sigterm-worker');
  let api: TestApi | undefined;
  let child: ChildProcess | undefined;
  let replacement: RunningWorker | undefined;
  afterAll(async () => {
    await stopProcess(child, 'SIGKILL');
    await replacement?.stop();
    await api?.close();
  });

  it('exits cleanly and the answer continues on another worker from the emitted text', { timeout: 300_000 }, async () => {
    api = await startApi(taskQueue);
    // A one-second grace: the in-flight generate is cancelled by the shutdown and retried elsewhere.
    child = startProcess('sigterm-worker', 'tsx', ['workers/chat-worker.ts'], testEnvironment({ CHAT_TASK_QUEUE: taskQueue, WORKER_SHUTDOWN_GRACE_SECONDS: '1' }));
    const socket = await ChatSocket.open(api.wsUrl, 'sigterm');
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: longQuestion, maxTokens: 250 });
    await socket.waitFor('deltas from the first worker', () => deltas(socket, requestId) >= 8, 90_000);
    signalGroup(child, 'SIGTERM');
    replacement = await startWorker(taskQueue);
    expect(await exitOf(child, 60_000)).toBe(0);

    const events = await socket.waitForEnd(requestId, 180_000);
    await socket.close();
    expect(events.at(-1)!.type).toBe('answer.done');
    const seqs = seqsOf(events);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    const answer = answerOf(events);
    const result = await api.temporal.workflow.getHandle(chatWorkflowId('sigterm', requestId)).result();
    expect(result.answer).toBe(answer);
    const history = await api.temporal.workflow.getHandle(chatWorkflowId('sigterm', requestId)).fetchHistory();
    const generated = history.events!
      .map((event) => event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data)
      .filter((data): data is Uint8Array => !!data && data.length > 0)
      .map((data) => JSON.parse(Buffer.from(data).toString()) as { resumedFromOffset?: number })
      .find((payload) => typeof payload?.resumedFromOffset === 'number');
    expect(generated!.resumedFromOffset).toBeGreaterThan(0);
  });
});

// Also with a chat worker inside the API (API_EMBEDDED_WORKER), which then runs the turn it started: the API
// drains the stream before it stops that worker.
describe.each([false, true])('SIGTERM on the API during a streaming answer (chat worker inside the API: %s)', (embedded) => {
  const taskQueue = uniqueTaskQueue('sigterm-api');
  let worker: RunningWorker | undefined;
  let child: ChildProcess | undefined;
  afterAll(async () => {
    await stopProcess(child, 'SIGKILL');
    await worker?.stop();
  });

  it('refuses new requests, lets the open stream finish, then exits', { timeout: 360_000 }, async () => {
    worker = await startWorker(taskQueue);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = startProcess('sigterm-api', 'tsx', ['api/server.ts'], testEnvironment({ CHAT_TASK_QUEUE: taskQueue, API_PORT: String(port), API_DRAIN_SECONDS: '180', API_EMBEDDED_WORKER: String(embedded) }));
    await waitUntil('api ready', async () => (await fetch(`${url}/readyz`)).ok, 90_000, child);

    const socket = await ChatSocket.open(`ws://127.0.0.1:${port}/v1/chat/ws`, 'sigterm-api', await apiKeyFor('sigterm-api'));
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: longQuestion, maxTokens: 80 });
    await socket.waitFor('some deltas', () => deltas(socket, requestId) >= 3, 90_000);
    signalGroup(child, 'SIGTERM');
    await waitUntil('readiness reports draining', async () => (await fetch(`${url}/readyz`)).status === 503, 10_000);
    const refused = await fetch(`${url}/v1/models`);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('shutting_down');
    expect(child.exitCode).toBeNull();

    const events = await socket.waitForEnd(requestId, 180_000);
    expect(events.at(-1)!.type).toBe('answer.done');
    const seqs = seqsOf(events);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    expect(answerOf(events).length).toBeGreaterThan(0);
    await socket.close();
    expect(await exitOf(child, 30_000)).toBe(0);
  });
});
