// Orgs `<p>` and `<p>-b` with request and job ids chosen so that the old `chat-<org>-<request>` ids were equal
// (`<p>` + `b-x` and `<p>-b` + `x`): neither reaches the other's run — resume, cancel, idempotent join,
// ingestion job status, cached response. Runs started under the old ids (before escaping) still answer
// their own tenant, and only it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { chatWorkflowId, legacyChatWorkflowId } from '../../domain/chat/ids.js';
import { ingestJobWorkflowId, legacyIngestJobWorkflowId } from '../../ingestion/ingestion-job.js';
import { tenantAttribute } from '../../workflows/search-attributes.js';
import { ingestionJobAttribute } from '../../workflows/ingestion/search-attributes.js';
import { ChatSocket, answerOf } from '../support/chat-socket.js';
import { apiKeyFor } from '../support/identities.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';

const model = 'smollm2-135m-instruct';
const prefix = `iso${randomUUID().slice(0, 6)}`;
const orgA = prefix;
const orgAB = `${prefix}-b`;

describe('tenants whose ids collided under concatenation', () => {
  const taskQueue = uniqueTaskQueue('isolation');
  const ingestionQueue = `${taskQueue}-ingestion-unserved`;
  let worker: RunningWorker;
  let api: TestApi;
  let socketA: ChatSocket;
  let socketAB: ChatSocket;
  const clientOf = async (org: string) => new OpenAI({ baseURL: `${api.url}/v1`, apiKey: await apiKeyFor(org), maxRetries: 0 });
  const headersOf = async (org: string) => ({ authorization: `Bearer ${await apiKeyFor(org)}`, 'content-type': 'application/json' });

  beforeAll(async () => {
    [worker, api] = await Promise.all([startWorker(taskQueue), startApi(taskQueue, { INGESTION_TASK_QUEUE: ingestionQueue, RESPONSE_CACHE_TTL_SECONDS: '300' })]);
    [socketA, socketAB] = await Promise.all([ChatSocket.open(api.wsUrl, orgA), ChatSocket.open(api.wsUrl, orgAB)]);
  }, 120_000);
  afterAll(async () => {
    await socketA?.close();
    await socketAB?.close();
    await api?.close();
    await worker?.stop();
  });

  it('cannot cancel, resume or join by idempotency key the other org\'s chat', async () => {
    expect(legacyChatWorkflowId(orgA, 'b-x')).toBe(legacyChatWorkflowId(orgAB, 'x'));
    socketAB.send({ type: 'chat', requestId: 'x', message: 'Name a colour.', maxTokens: 24 });
    await socketAB.waitFor('the first event of x', () => socketAB.for('x').length > 0);

    socketA.send({ type: 'cancel', requestId: 'b-x' });
    await socketA.waitFor('cancel refused', () => socketA.for('b-x').length > 0);
    expect(socketA.for('b-x')).toMatchObject([{ type: 'error', data: { code: 'not_found' } }]);

    const own = await socketAB.waitForEnd('x');
    expect(own.at(-1)!.type).toBe('answer.done');
    const answer = answerOf(own);

    socketA.send({ type: 'resume', requestId: 'b-x', lastEventId: 0 });
    await socketA.waitFor('resume refused', () => socketA.for('b-x').length > 1);
    expect(socketA.for('b-x')[1]).toMatchObject({ type: 'error', data: { code: 'not_found' } });

    // The idempotency key `b-x` of org A starts A's own run; `x` of org A-B joins A-B's finished run.
    const joinedByA = await (await clientOf(orgA)).chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hi.' }], max_tokens: 8 }, { headers: { 'idempotency-key': 'b-x', 'cache-control': 'no-cache' } });
    expect((joinedByA as unknown as { ragtime: { workflow_id: string } }).ragtime.workflow_id).toBe(chatWorkflowId(orgA, 'b-x'));
    expect((await api.temporal.workflow.getHandle(chatWorkflowId(orgA, 'b-x')).describe()).typedSearchAttributes.get(tenantAttribute)).toBe(orgA);
    const joinedByAB = await (await clientOf(orgAB)).chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hi.' }], max_tokens: 8 }, { headers: { 'idempotency-key': 'x', 'cache-control': 'no-cache' } });
    expect((joinedByAB as unknown as { ragtime: { workflow_id: string } }).ragtime.workflow_id).toBe(chatWorkflowId(orgAB, 'x'));
    expect(joinedByAB.choices[0]!.message.content).toBe(answer);
  }, 180_000);

  it('answers a run started under the old id to its own tenant only', async () => {
    // As deployed before: org A-B's request `y` ran as `chat-<p>-b-y`, which is also what org A's `b-y` was.
    const legacyId = legacyChatWorkflowId(orgAB, 'y');
    const result = await api.temporal.workflow.execute('chatTurnWorkflow', {
      taskQueue, workflowId: legacyId,
      args: [{ tenantId: orgAB, requestId: 'y', conversationId: 'y', question: 'Name a fruit.', maxTokens: 16 }],
      typedSearchAttributes: [{ key: tenantAttribute, value: orgAB }],
    }) as { answer: string };

    socketA.send({ type: 'resume', requestId: 'b-y', lastEventId: 0 });
    socketA.send({ type: 'cancel', requestId: 'b-y' });
    await socketA.waitFor('both refused', () => socketA.for('b-y').length >= 2);
    expect(socketA.for('b-y').map((event) => event.data.code)).toEqual(['not_found', 'not_found']);

    socketAB.send({ type: 'resume', requestId: 'y', lastEventId: 0 });
    const replayed = await socketAB.waitForEnd('y');
    expect(answerOf(replayed)).toBe(result.answer);

    const joined = await (await clientOf(orgAB)).chat.completions.create({ model, messages: [{ role: 'user', content: 'Name a fruit.' }], max_tokens: 16 }, { headers: { 'idempotency-key': 'y', 'cache-control': 'no-cache' } });
    expect((joined as unknown as { ragtime: { workflow_id: string } }).ragtime.workflow_id).toBe(legacyId);
    expect(joined.choices[0]!.message.content).toBe(result.answer);
    const fresh = await (await clientOf(orgA)).chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hi.' }], max_tokens: 8 }, { headers: { 'idempotency-key': 'b-y', 'cache-control': 'no-cache' } });
    expect((fresh as unknown as { ragtime: { workflow_id: string } }).ragtime.workflow_id).toBe(chatWorkflowId(orgA, 'b-y'));
  }, 180_000);

  it('cannot read the other org\'s ingestion job, under the new id or the old one', async () => {
    const started = await fetch(`${api.url}/v1/ingestion/jobs`, { method: 'POST', headers: await headersOf(orgAB), body: JSON.stringify({ jobId: 'x', sources: ['https://example.com/a'] }) });
    expect(await started.json()).toMatchObject({ job_id: 'x', workflow_id: ingestJobWorkflowId(orgAB, 'x') });
    const legacyId = legacyIngestJobWorkflowId(orgAB, 'y');
    await api.temporal.workflow.start('ingestBatchWorkflow', {
      taskQueue: ingestionQueue, workflowId: legacyId, args: [{ tenantId: orgAB, jobId: 'y', sources: ['https://example.com/b'] }],
      typedSearchAttributes: [{ key: tenantAttribute, value: orgAB }, { key: ingestionJobAttribute, value: 'y' }],
    });
    // Nothing serves the queue: stopping the runs makes their state readable without a worker.
    await api.temporal.workflow.getHandle(ingestJobWorkflowId(orgAB, 'x')).terminate('test');
    await api.temporal.workflow.getHandle(legacyId).terminate('test');

    for (const jobId of ['b-x', 'b-y']) {
      const response = await fetch(`${api.url}/v1/ingestion/jobs/${jobId}`, { headers: await headersOf(orgA) });
      expect(response.status).toBe(404);
    }
    const own = await fetch(`${api.url}/v1/ingestion/jobs/x`, { headers: await headersOf(orgAB) });
    expect(await own.json()).toMatchObject({ job_id: 'x', state: 'failed', workflow_id: ingestJobWorkflowId(orgAB, 'x') });
    const ownLegacy = await fetch(`${api.url}/v1/ingestion/jobs/y`, { headers: await headersOf(orgAB) });
    expect(await ownLegacy.json()).toMatchObject({ job_id: 'y', state: 'failed', workflow_id: legacyId });
    // Starting A's job `b-y` is A's own job, not a join of A-B's old run.
    const startedByA = await fetch(`${api.url}/v1/ingestion/jobs`, { method: 'POST', headers: await headersOf(orgA), body: JSON.stringify({ jobId: 'b-y', sources: ['https://example.com/c'] }) });
    expect(startedByA.status).toBe(202);
    expect(await startedByA.json()).toMatchObject({ workflow_id: ingestJobWorkflowId(orgA, 'b-y') });
    await api.temporal.workflow.getHandle(ingestJobWorkflowId(orgA, 'b-y')).terminate('test');
  });

  it('does not answer one org from the other\'s cached response', async () => {
    const request = { model, messages: [{ role: 'user' as const, content: `Repeat the word ${prefix}.` }], max_tokens: 8 };
    const first = await (await clientOf(orgAB)).chat.completions.create(request).withResponse();
    expect(first.response.headers.get('x-ragtime-cache')).toBe('miss');
    const other = await (await clientOf(orgA)).chat.completions.create(request).withResponse();
    expect(other.response.headers.get('x-ragtime-cache')).toBe('miss');
    const again = await (await clientOf(orgAB)).chat.completions.create(request).withResponse();
    expect(again.response.headers.get('x-ragtime-cache')).toBe('hit');
  }, 120_000);
});
