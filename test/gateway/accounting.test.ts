// Usage accounting: cancelled and failed-over streams are charged what the model actually served, budgets
// refuse with 402 once spent, /v1/usage reports per org/user/model/day, and tenants never see each other.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Client } from '@temporalio/client';
import { withDefaults } from '../../domain/routing/model-registration.js';
import type { ChatTurnResult } from '../../domain/chat/chat-request.js';
import { ChatSocket, answerOf } from '../support/chat-socket.js';
import { CountingProxy } from '../support/counting-proxy.js';
import { apiKeyFor, identityStore } from '../support/identities.js';
import { routingHarness, startConfiguredWorker, type RoutingHarness } from '../support/routing-stack.js';
import { services } from '../support/services.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';
import { ledgerPool, settledRow } from './gateway-helpers.js';
import { chatWorkflowId } from '../../domain/chat/ids.js';

const longQuestion = 'Write a very long story about a dragon who learns to sail. Make it at least 1500 words.';
// 100 USD per million tokens: one token costs 100 micro-USD.
const prices = JSON.stringify({ 'smollm2-135m-instruct': { inputPerMillionUsd: 100, outputPerMillionUsd: 100 } });

describe('usage, budgets and tenants', () => {
  const taskQueue = uniqueTaskQueue('accounting');
  let worker: RunningWorker;
  let api: TestApi;
  const pool = ledgerPool();

  beforeAll(async () => {
    // The workflow settles usage, so the worker prices it.
    [worker, api] = await Promise.all([startWorker(taskQueue, { MODEL_PRICES: prices }), startApi(taskQueue, { MODEL_PRICES: prices, RESPONSE_CACHE_TTL_SECONDS: '0' })]);
  });
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await pool.end();
  });

  it('charges a cancelled stream for the answer it had streamed', async () => {
    const org = `cancel-${randomUUID().slice(0, 6)}`;
    const socket = await ChatSocket.open(api.wsUrl, org);
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: longQuestion, maxTokens: 1500 });
    await socket.waitFor('some deltas', () => socket.for(requestId).filter((event) => event.type === 'answer.delta').length >= 5);
    socket.send({ type: 'cancel', requestId });
    await socket.waitForEnd(requestId);
    await socket.close();

    const row = await settledRow(pool, org, requestId);
    const streamed = (await api.events.range(chatWorkflowId(org, requestId), 0)).filter((event) => event.type === 'answer.delta');
    const streamedText = streamed.map((event) => (event.data as { text: string }).text).join('');
    expect(row).toMatchObject({ outcome: 'cancelled', usage_source: 'stream', cached: false, model: 'smollm2-135m-instruct' });
    // Charged the tokens the model served (as generate counted them from the upstream stream and reported them
    // with its cancellation), not the deltas: the output filter merges tokens into fewer deltas and holds the
    // unfinished tail back, so the served count is at least the published text's tokens, plus at most the
    // held-back tail and the tokens in flight when the upstream request was aborted.
    const servedInHistory = await cancelledGenerateTokens(api.temporal, chatWorkflowId(org, requestId));
    expect(row.completion_tokens).toBe(servedInHistory);
    const publishedTokens = await tokenCount(streamedText);
    expect(row.completion_tokens).toBeGreaterThanOrEqual(Math.floor(publishedTokens * 0.9));
    expect(row.completion_tokens).toBeLessThanOrEqual(publishedTokens + 24);
    expect(row.completion_tokens).toBeGreaterThanOrEqual(5);
    expect(row.completion_tokens).toBeLessThan(1500);
    expect(row.prompt_tokens).toBeGreaterThan(0);
    expect(Number(row.cost_micros)).toBe((row.prompt_tokens + row.completion_tokens) * 100);
  });

  it('refuses with 402 once the monthly budget is spent, and reports usage per user, model and day', async () => {
    const org = `budget-${randomUUID().slice(0, 6)}`;
    const alice = await apiKeyFor(org, { userId: 'alice' });
    const bob = await apiKeyFor(org, { userId: 'bob' });
    // 3000 micro-USD: the first small answer is admitted on its estimate, and its real cost exhausts the budget.
    await identityStore().setBudget('test', org, { kind: 'fixed', micros: 3_000 });
    const ask = (key: string) => fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'smollm2-135m-instruct', messages: [{ role: 'user', content: 'Name a color.' }], max_tokens: 16 }),
    });
    const first = await ask(alice);
    expect(first.status).toBe(200);
    const body = await first.json() as { id: string; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body.usage.prompt_tokens * 100 + body.usage.completion_tokens * 100).toBeGreaterThan(3_000);

    await settledRow(pool, org, body.id.replace(/^chatcmpl-/, ''));
    const second = await ask(bob);
    expect(second.status).toBe(402);
    expect(await second.json()).toMatchObject({ error: { code: 'budget_exhausted', type: 'insufficient_quota' } });

    const usage = await (await fetch(`${api.url}/v1/usage`, { headers: { authorization: `Bearer ${bob}` } })).json() as {
      org_id: string; budget: { spent_usd: number; monthly_budget_usd: number; remaining_usd: number }; data: { day: string; user_id: string; model: string; requests: number; prompt_tokens: number; completion_tokens: number; cost_usd: number }[];
    };
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.org_id).toBe(org);
    expect(usage.data).toEqual([{
      day: today, user_id: 'alice', model: 'smollm2-135m-instruct', requests: 1, cached_requests: 0,
      prompt_tokens: body.usage.prompt_tokens, completion_tokens: body.usage.completion_tokens,
      total_tokens: body.usage.prompt_tokens + body.usage.completion_tokens,
      cost_usd: (body.usage.prompt_tokens + body.usage.completion_tokens) * 100 / 1_000_000,
    }]);
    expect(usage.budget).toMatchObject({ monthly_budget_usd: 0.003, remaining_usd: 0 });
    expect(usage.budget.spent_usd).toBeCloseTo(usage.data[0]!.cost_usd, 9);
    const onlyBob = await (await fetch(`${api.url}/v1/usage?user=bob`, { headers: { authorization: `Bearer ${bob}` } })).json() as { data: unknown[] };
    expect(onlyBob.data).toEqual([]);
    const badQuery = await fetch(`${api.url}/v1/usage?from=yesterday`, { headers: { authorization: `Bearer ${bob}` } });
    expect(badQuery.status).toBe(400);
  });

  it("never lets one tenant's key read another tenant's requests, conversations or usage", async () => {
    const [orgA, orgB] = [`tenant-a-${randomUUID().slice(0, 6)}`, `tenant-b-${randomUUID().slice(0, 6)}`];
    const a = await ChatSocket.open(api.wsUrl, orgA);
    const requestId = randomUUID();
    a.send({ type: 'chat', requestId, conversationId: 'shared-name', message: 'My secret word is pelican. Say hello.', maxTokens: 16 });
    const events = await a.waitForEnd(requestId);
    await a.close();
    expect(events.at(-1)!.type).toBe('answer.done');
    await settledRow(pool, orgA, requestId);

    const b = await ChatSocket.open(api.wsUrl, orgB);
    b.send({ type: 'resume', requestId, lastEventId: 0 });
    b.send({ type: 'cancel', requestId });
    await b.waitFor('two replies', (received) => received.length >= 2, 10_000);
    await b.close();
    expect(b.events.map((event) => event.data.code)).toEqual(['not_found', 'not_found']);

    const keyA = await apiKeyFor(orgA);
    const keyB = await apiKeyFor(orgB);
    const conversation = async (key: string) => (await (await fetch(`${api.url}/v1/conversations/shared-name`, { headers: { authorization: `Bearer ${key}` } })).json()) as { messages: { content: string }[] };
    expect((await conversation(keyA)).messages[0]!.content).toContain('pelican');
    expect((await conversation(keyB)).messages).toEqual([]);
    const usageB = await (await fetch(`${api.url}/v1/usage`, { headers: { authorization: `Bearer ${keyB}` } })).json() as { org_id: string; data: unknown[]; budget: { spent_usd: number } };
    expect(usageB).toMatchObject({ org_id: orgB, data: [], budget: { spent_usd: 0 } });
  });
});

describe('a failed-over stream', () => {
  const taskQueue = uniqueTaskQueue('charged-failover');
  let harness: RoutingHarness;
  let worker: { stop(): Promise<void> } | undefined;
  let api: TestApi;
  const primary = new CountingProxy(services().modelBaseUrl, 8);
  const fallback = new CountingProxy(services().modelBaseUrl);
  const pool = ledgerPool();

  beforeAll(async () => {
    harness = await routingHarness({ MODEL_ENVIRONMENT: 'staging', CHAT_TASK_QUEUE: taskQueue });
    await harness.registry.register(withDefaults({ model: 'gw-primary', endpoint: await primary.start(), environment: 'staging', fallbacks: ['gw-fallback'], quality: 2 }));
    await harness.registry.register(withDefaults({ model: 'gw-fallback', endpoint: await fallback.start(), environment: 'staging', quality: 1 }));
    worker = await startConfiguredWorker(harness.config);
    api = await startApi(taskQueue, { REDIS_KEY_PREFIX: harness.config.REDIS_KEY_PREFIX, MODEL_ENVIRONMENT: 'staging' });
  });
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    primary.close();
    fallback.close();
    await harness?.close();
    await pool.end();
  });

  it('is charged every token both endpoints served', { timeout: 180_000 }, async () => {
    const org = `failover-${randomUUID().slice(0, 6)}`;
    const socket = await ChatSocket.open(api.wsUrl, org);
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: 'Tell me a short story about a fox.', model: 'gw-primary', maxTokens: 60 });
    const events = await socket.waitForEnd(requestId, 170_000);
    await socket.close();
    expect(events.map((event) => event.type)).toContain('model.failover');
    expect(events.at(-1)!.type).toBe('answer.done');

    const row = await settledRow(pool, org, requestId);
    const result = await api.temporal.workflow.getHandle(chatWorkflowId(org, requestId)).result() as ChatTurnResult;
    expect(answerOf(events)).toBe(result.answer);
    expect(primary.contentChunks).toBe(8);
    expect(fallback.contentChunks).toBeGreaterThan(0);
    expect(row).toMatchObject({ outcome: 'completed', usage_source: 'model', model: 'gw-fallback' });
    // The cut stream never reported usage: its tokens are the chunks it delivered. The finished one reports its own.
    expect(fallback.reportedCompletionTokens).toBeGreaterThanOrEqual(fallback.contentChunks);
    expect(row.completion_tokens).toBe(primary.contentChunks + fallback.reportedCompletionTokens);
    expect(row.completion_tokens).toBe(result.usage.completionTokens);
  });
});

/** The completion tokens generate reported with its cancellation, as the workflow's history records them. */
async function cancelledGenerateTokens(temporal: Client, workflowId: string): Promise<number> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const cancelled = history.events?.find((event) => event.activityTaskCanceledEventAttributes);
  const payload = cancelled?.activityTaskCanceledEventAttributes?.details?.payloads?.[0];
  if (!payload) throw new Error(`${workflowId}: no cancelled generate with details in the history`);
  return (defaultPayloadConverter.fromPayload(payload) as { completionTokens: number }).completionTokens;
}

/** How many tokens the model server's own tokenizer makes of a text. */
async function tokenCount(text: string): Promise<number> {
  const response = await fetch(`${services().modelServerUrl}/tokenize`, { method: 'POST', body: JSON.stringify({ content: text }) });
  return ((await response.json()) as { tokens: number[] }).tokens.length;
}
