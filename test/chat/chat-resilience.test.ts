// Reconnect with resume, cancel mid-stream, and a worker killed mid-answer: the client's stream stays one
// coherent answer with no missing or repeated seq, and a non-streamed chat completion still gets the run's answer.
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatWorkflowId } from '../../domain/chat/ids.js';
import { ChatSocket, answerOf, seqsOf } from '../support/chat-socket.js';
import { services, testEnvironment } from '../support/services.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';
import { signalGroup, startProcess, stopProcess, waitUntil } from '../support/processes.js';
import { apiKeyFor } from '../support/identities.js';

const longQuestion = 'Write a very long story about a dragon who learns to sail. Make it at least 1500 words.';

describe('resume and cancel', () => {
  const taskQueue = uniqueTaskQueue('resume');
  let worker: RunningWorker;
  let api: TestApi;

  beforeAll(async () => {
    [worker, api] = await Promise.all([startWorker(taskQueue), startApi(taskQueue)]);
  });
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
  });

  it('delivers exactly the missed events after a reconnect with lastEventId', { timeout: 180_000 }, async () => {
    const requestId = randomUUID();
    const first = await ChatSocket.open(api.wsUrl, 'resume');
    first.send({ type: 'chat', requestId, message: longQuestion, maxTokens: 120 });
    await first.waitFor('some deltas', () => first.for(requestId).filter((event) => event.type === 'answer.delta').length >= 5);
    await first.close();
    const before = first.for(requestId);
    const lastEventId = Math.max(...seqsOf(before));

    const second = await ChatSocket.open(api.wsUrl, 'resume');
    second.send({ type: 'resume', requestId, lastEventId });
    const after = await second.waitForEnd(requestId, 170_000);
    await second.close();

    const all = [...before, ...after];
    expect(seqsOf(after)[0]).toBe(lastEventId + 1);
    expect(seqsOf(all)).toEqual(seqsOf(all).map((_, index) => index + 1));
    expect(after.at(-1)!.type).toBe('answer.done');
    const result = await api.temporal.workflow.getHandle(chatWorkflowId('resume', requestId)).result();
    expect(answerOf(all)).toBe(result.answer);
  });

  it('answers resume of an unknown request with not_found', async () => {
    const socket = await ChatSocket.open(api.wsUrl, 'resume');
    socket.send({ type: 'resume', requestId: 'never-sent', lastEventId: 0 });
    const [event] = await socket.waitFor('error', (events) => events.length > 0);
    await socket.close();
    expect(event).toEqual({ type: 'error', requestId: 'never-sent', data: { code: 'not_found', message: 'no request with this requestId' } });
  });

  it('cancels mid-stream: generation stops upstream and the workflow ends cancelled', async () => {
    const requestId = randomUUID();
    const socket = await ChatSocket.open(api.wsUrl, 'cancel');
    socket.send({ type: 'chat', requestId, message: longQuestion, maxTokens: 1500 });
    await socket.waitFor('some deltas', () => socket.for(requestId).filter((event) => event.type === 'answer.delta').length >= 3);
    expect(await slotsProcessing()).toBeGreaterThan(0);
    socket.send({ type: 'cancel', requestId });
    const events = await socket.waitForEnd(requestId);
    await socket.close();

    expect(events.at(-1)).toMatchObject({ type: 'error', data: { code: 'cancelled' } });
    const handle = api.temporal.workflow.getHandle(chatWorkflowId('cancel', requestId));
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    // The upstream request was aborted: the model server is idle long before 1500 tokens could be produced.
    expect(await slotsProcessing()).toBe(0);
    // Each published delta carries at least one token: far fewer arrived than the 1500 asked for.
    answerOf(events);
    expect(events.filter((event) => event.type === 'answer.delta').length).toBeLessThan(1500);
  });
});

describe('a worker killed mid-stream', () => {
  const taskQueue = uniqueTaskQueue('crash');
  let api: TestApi;
  let child: ChildProcess | undefined;
  let replacement: RunningWorker | undefined;

  beforeAll(async () => {
    api = await startApi(taskQueue);
  });
  afterAll(async () => {
    await stopProcess(child, 'SIGKILL');
    await replacement?.stop();
    await api?.close();
  });

  it('still gives the client one complete answer with no duplicated or missing seq', { timeout: 240_000 }, async () => {
    child = startProcess('crash-worker', 'tsx', ['workers/chat-worker.ts'], testEnvironment({ CHAT_TASK_QUEUE: taskQueue }));
    const requestId = randomUUID();
    const socket = await ChatSocket.open(api.wsUrl, 'crash');
    socket.send({ type: 'chat', requestId, message: longQuestion, maxTokens: 200 });
    await socket.waitFor('deltas from the first worker', () => socket.for(requestId).filter((event) => event.type === 'answer.delta').length >= 8, 90_000);
    signalGroup(child, 'SIGKILL');
    const deltasAtKill = socket.for(requestId).filter((event) => event.type === 'answer.delta').length;
    replacement = await startWorker(taskQueue);

    const events = await socket.waitForEnd(requestId, 180_000);
    await socket.close();
    expect(events.at(-1)!.type).toBe('answer.done');
    const seqs = seqsOf(events);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    const answer = answerOf(events);
    expect(events.filter((event) => event.type === 'answer.delta').length).toBeGreaterThan(deltasAtKill);

    const handle = api.temporal.workflow.getHandle(chatWorkflowId('crash', requestId));
    const result = await handle.result();
    expect(result.answer).toBe(answer);
    const history = await handle.fetchHistory();
    const generateResult = history.events!
      .map((event) => event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data)
      .filter((data): data is Uint8Array => !!data && data.length > 0)
      .map((data) => JSON.parse(Buffer.from(data).toString()))
      .find((payload) => typeof payload?.resumedFromOffset === 'number');
    expect(generateResult.resumedFromOffset).toBeGreaterThan(0);
  });

  it('still answers a non-streamed chat completion, whole, with the run\'s answer', { timeout: 240_000 }, async () => {
    // The worker of the previous test is stopped: only the one killed below serves the queue until its replacement.
    await replacement?.stop();
    replacement = undefined;
    child = startProcess('crash-worker-completion', 'tsx', ['workers/chat-worker.ts'], testEnvironment({ CHAT_TASK_QUEUE: taskQueue }));
    const org = `crash-plain-${randomUUID().slice(0, 6)}`;
    const requestId = randomUUID();
    const response = fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await apiKeyFor(org)}`, 'content-type': 'application/json', 'idempotency-key': requestId, 'cache-control': 'no-cache' },
      body: JSON.stringify({ model: 'smollm2-135m-instruct', messages: [{ role: 'user', content: longQuestion }], max_tokens: 160 }),
    });
    const workflowId = chatWorkflowId(org, requestId);
    await waitUntil('deltas from the first worker', async () => (await api.events.range(workflowId, 0)).filter((event) => event.type === 'answer.delta').length >= 8, 90_000);
    signalGroup(child, 'SIGKILL');
    replacement = await startWorker(taskQueue);

    const answered = await response;
    expect(answered.status).toBe(200);
    const completion = await answered.json() as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    const result = await api.temporal.workflow.getHandle(workflowId).result();
    expect(completion.choices[0]!.message.content).toBe(result.answer);
    expect(completion.usage.completion_tokens).toBe(result.usage.completionTokens);
    // The answer was finished by the replacement, from where the killed worker left it.
    const resumed = (await api.temporal.workflow.getHandle(workflowId).fetchHistory()).events!
      .map((event) => event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data)
      .filter((data): data is Uint8Array => !!data && data.length > 0)
      .map((data) => JSON.parse(Buffer.from(data).toString()) as { resumedFromOffset?: number })
      .find((payload) => typeof payload.resumedFromOffset === 'number');
    expect(resumed?.resumedFromOffset).toBeGreaterThan(0);
  });
});

/**
 * Slots still generating, once they are idle or after 10 s: a loaded machine takes a moment to notice the closed
 * connection, while 1500 tokens left running would keep a slot busy for well over 10 s even on a quiet one.
 */
async function slotsProcessing(): Promise<number> {
  const deadline = Date.now() + 10_000;
  let busy = 0;
  do {
    const slots = (await (await fetch(`${services().modelServerUrl}/slots`)).json()) as { is_processing: boolean }[];
    busy = slots.filter((slot) => slot.is_processing).length;
    if (busy === 0) return 0;
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < deadline);
  return busy;
}
