import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ChatSocket, answerOf, seqsOf } from '../support/chat-socket.js';
import { services } from '../support/services.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';
import { temporalCli } from '../support/temporal-cli.js';
import { chatWorkflowId } from '../../domain/chat/ids.js';

describe('a chat turn end to end', () => {
  const taskQueue = uniqueTaskQueue('e2e');
  let worker: RunningWorker;
  let api: TestApi;
  let pool: pg.Pool;

  beforeAll(async () => {
    [worker, api] = await Promise.all([startWorker(taskQueue), startApi(taskQueue)]);
    pool = new pg.Pool({ connectionString: services().databaseUrl });
  });
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await pool?.end();
  });

  it('streams ordered deltas and a done event, and the run is listed with its search attributes', async () => {
    const tenant = `tenant-${randomUUID().slice(0, 6)}`;
    const socket = await ChatSocket.open(api.wsUrl, tenant);
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: 'Name three primary colors.', maxTokens: 48 });
    const events = await socket.waitForEnd(requestId);
    await socket.close();

    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['plan', 'model.selected', 'answer.delta', 'answer.done']));
    const seqs = seqsOf(events);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    const answer = answerOf(events);
    expect(answer.trim().length).toBeGreaterThan(0);

    const done = events.at(-1)!;
    expect(done.type).toBe('answer.done');
    const workflowId = chatWorkflowId(tenant, requestId);
    expect(done.data.workflowId).toBe(workflowId);
    expect(done.data.temporalUiUrl).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    const usage = done.data.usage as { promptTokens: number; completionTokens: number };
    expect(usage.promptTokens).toBeGreaterThan(0);
    expect(usage.completionTokens).toBeGreaterThan(0);

    const listed = (await temporalCli(['workflow', 'list', '--query',
      `RagtimeTenant='${tenant}' AND RagtimeConversation='${requestId}' AND RagtimeModel='smollm2-135m-instruct' AND RagtimeOutcome='completed'`])) as { execution: { workflowId: string } }[];
    expect(listed.map((entry) => entry.execution.workflowId)).toEqual([workflowId]);

    const result = await api.temporal.workflow.getHandle(workflowId).result();
    expect(result.answer).toBe(answer);
    const { rows } = await pool.query('SELECT answer, outcome, completion_tokens FROM turns WHERE tenant_id = $1 AND request_id = $2', [tenant, requestId]);
    expect(rows).toEqual([{ answer, outcome: 'completed', completion_tokens: usage.completionTokens }]);
    const description = await api.temporal.workflow.getHandle(workflowId).describe();
    expect(await description.memo).toMatchObject({ questionPreview: 'Name three primary colors.' });
  });

  it('carries conversation history into the next turn and answers the status query', async () => {
    const socket = await ChatSocket.open(api.wsUrl, 'history-tenant');
    const conversationId = randomUUID();
    const first = randomUUID();
    socket.send({ type: 'chat', requestId: first, conversationId, message: 'My name is Ada. Say hello to me.', maxTokens: 24 });
    await socket.waitForEnd(first);
    const second = randomUUID();
    socket.send({ type: 'chat', requestId: second, conversationId, message: 'What is my name?', maxTokens: 24 });
    const events = await socket.waitForEnd(second);
    await socket.close();

    const plan = events.find((event) => event.type === 'plan')!;
    expect(plan.data.historyTurns).toBe(1);
    // answer.done goes out before the turn is stored: the status query may still see 'persisting' for a moment.
    const handle = api.temporal.workflow.getHandle(chatWorkflowId('history-tenant', second));
    await expect.poll(() => handle.query('status'), { timeout: 10_000, interval: 100 })
      .toEqual({ step: 'done', model: 'smollm2-135m-instruct', outcome: 'completed' });
  });

  it('joins a duplicate requestId to the running workflow and never runs it twice', async () => {
    const requestId = randomUUID();
    const [first, second] = await Promise.all([ChatSocket.open(api.wsUrl, 'dup'), ChatSocket.open(api.wsUrl, 'dup')]);
    const message = { type: 'chat', requestId, message: 'Write one sentence about rivers.', maxTokens: 40 };
    first.send(message);
    second.send(message);
    const [a, b] = await Promise.all([first.waitForEnd(requestId), second.waitForEnd(requestId)]);
    expect(answerOf(a)).toBe(answerOf(b));
    expect(seqsOf(a)).toEqual(seqsOf(b));

    // A submit after completion replays the finished answer instead of starting a new run.
    first.send(message);
    await first.waitFor('replayed answer', () => first.for(requestId).filter((event) => event.type === 'answer.done').length === 2);
    await Promise.all([first.close(), second.close()]);

    const runs = (await temporalCli(['workflow', 'list', '--query', `WorkflowId='${chatWorkflowId('dup', requestId)}'`])) as unknown[];
    expect(runs).toHaveLength(1);
  });
});
