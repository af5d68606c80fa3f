// API_EMBEDDED_WORKER: a chat worker inside the API shares its Temporal connection, so chat turns start eagerly.
// A separate chat worker polls the same task queue, as in a deployment: every first workflow task still runs in
// the API's worker (by chance each would be a coin toss), the answers stream as usual, and the other worker
// keeps serving the queue (the embedded worker stops with the API; a later turn is answered by the other).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatSocket, answerOf } from '../support/chat-socket.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';
import { chatWorkflowId } from '../../domain/chat/ids.js';

describe('eager start with a chat worker in the API', () => {
  const taskQueue = uniqueTaskQueue('eager');
  let worker: RunningWorker;
  let api: TestApi;

  beforeAll(async () => {
    [worker, api] = await Promise.all([startWorker(taskQueue), startApi(taskQueue, {}, { embeddedWorker: true })]);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
  });

  async function firstWorkflowTaskIdentity(workflowId: string): Promise<string | undefined> {
    const history = await api.temporal.workflow.getHandle(workflowId).fetchHistory();
    // The worker that completed the first workflow task (a started event carries the starter's identity when eager).
    return history.events?.find((event) => event.workflowTaskCompletedEventAttributes)?.workflowTaskCompletedEventAttributes?.identity ?? undefined;
  }

  it("runs every turn's first workflow task in the API's own worker and streams complete answers", async () => {
    const tenant = `eager-${randomUUID().slice(0, 6)}`;
    const socket = await ChatSocket.open(api.wsUrl, tenant);
    const identities: (string | undefined)[] = [];
    for (let turn = 0; turn < 6; turn += 1) {
      const requestId = randomUUID();
      socket.send({ type: 'chat', requestId, message: `Name a colour of the rainbow (${turn}).`, maxTokens: 16 });
      const events = await socket.waitForEnd(requestId);
      expect(events.at(-1)!.type).toBe('answer.done');
      const workflowId = chatWorkflowId(tenant, requestId);
      const result = await api.temporal.workflow.getHandle(workflowId).result();
      expect(result.answer).toBe(answerOf(events));
      identities.push(await firstWorkflowTaskIdentity(workflowId));
    }
    await socket.close();
    expect(api.embeddedWorkerIdentity).toMatch(/^api-\d+@/);
    expect(identities).toEqual(Array(6).fill(api.embeddedWorkerIdentity));
  });
});
