// After an end-to-end chat, the chat worker process's /metrics has its step timings, time to first token,
// circuit states, the Temporal SDK's worker metrics and the tokens and cost per model and tier of the turns its
// workflows settled, and the API's /metrics has requests per route pattern, WebSocket connections and
// rate-limit rejections.
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatSocket } from '../support/chat-socket.js';
import { freePortPair } from '../support/free-port.js';
import { startProcess, stopProcess, waitUntil } from '../support/processes.js';
import { testEnvironment } from '../support/services.js';
import { apiKeyFor } from '../support/identities.js';
import { startApi, uniqueTaskQueue, type TestApi } from '../support/stack.js';
import { tiersWith } from '../gateway/gateway-helpers.js';

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((candidate) =>
    candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function sum(text: string, name: string, labels: Record<string, string>): number {
  return text.split('\n')
    .filter((line) => line.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('metrics after an end-to-end chat', () => {
  const taskQueue = uniqueTaskQueue('metrics');
  let worker: ChildProcess;
  let api: TestApi;
  let metricsUrl: string;

  beforeAll(async () => {
    const port = await freePortPair();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    // Free-tier users get one request a minute: the second chat of the test is refused by the user's limit.
    const tiers = tiersWith('free', {}, { requestsPerMinute: 1 }, 1);
    worker = startProcess('metrics-worker', 'tsx', ['workers/chat-worker.ts'], testEnvironment({ CHAT_TASK_QUEUE: taskQueue, METRICS_PORT: String(port), GATEWAY_TIERS: tiers }));
    api = await startApi(taskQueue, { GATEWAY_TIERS: tiers });
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

    // persist itself sends answer.done, and an activity is timed when it returns, so its sample can land just
    // after the client has the end of the answer: wait (briefly) for every step to be counted, then check them.
    const steps = ['plan', 'preSafety', 'route', 'generate', 'postSafety', 'persist'];
    let text = '';
    await waitUntil('step timings', async () => {
      text = await (await fetch(metricsUrl)).text();
      return steps.every((step) => sample(text, 'ragtime_workflow_step_duration_seconds_count', { step, outcome: 'success' }) !== undefined);
    }, 5_000).catch(() => undefined);
    for (const step of steps) {
      expect(sample(text, 'ragtime_workflow_step_duration_seconds_count', { step, outcome: 'success' }), step).toBeGreaterThanOrEqual(1);
    }
    const generateSeconds = sample(text, 'ragtime_workflow_step_duration_seconds_sum', { step: 'generate', outcome: 'success' })!;
    expect(generateSeconds).toBeGreaterThan(0);
    expect(generateSeconds).toBeLessThan(120);
    expect(text).toMatch(/^temporal_\w+/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toMatch(/requestId|tenant="/);
    const ttftCount = sample(text, 'ragtime_ttft_seconds_count', {})!;
    expect(ttftCount).toBeGreaterThanOrEqual(1);
    const ttftSeconds = sample(text, 'ragtime_ttft_seconds_sum', {})!;
    expect(ttftSeconds).toBeGreaterThan(0);
    expect(ttftSeconds).toBeLessThan(generateSeconds + 60);
    expect(text).toMatch(/^ragtime_circuit_breaker_state\{endpoint="[^"]+"\} 0$/m);
  });

  it('counts API requests by route pattern, open sockets, tokens and cost by tier, and rate-limit refusals', async () => {
    const tenant = `metrics-free-${randomUUID().slice(0, 8)}`;
    const before = await (await fetch(metricsUrl)).text();
    const outputBefore = sum(before, 'ragtime_tokens_total', { tier: 'free', direction: 'output' });
    const inputBefore = sum(before, 'ragtime_tokens_total', { tier: 'free', direction: 'input' });
    const costBefore = sum(before, 'ragtime_cost_usd_total', { tier: 'free' });
    const socket = await ChatSocket.open(api.wsUrl, tenant, await apiKeyFor(tenant, { tier: 'free' }));
    const during = await (await fetch(`${api.url}/metrics`)).text();
    expect(/^ragtime_websocket_connections (\S+)$/m.exec(during)?.[1]).toBe('1');

    const first = randomUUID();
    socket.send({ type: 'chat', requestId: first, message: 'Say hello.', maxTokens: 16 });
    const done = (await socket.waitForEnd(first)).at(-1)!;
    expect(done.type).toBe('answer.done');
    const second = randomUUID();
    socket.send({ type: 'chat', requestId: second, message: 'Say hello again.', maxTokens: 16 });
    const refused = (await socket.waitForEnd(second)).at(-1)!;
    expect(refused.type).toBe('error');
    await socket.close();
    expect((await fetch(`${api.url}/v1/ingestion/jobs/${randomUUID()}`)).status).toBeGreaterThanOrEqual(400);

    // The workflow settled the usage (in its persist step, before answer.done): the worker counted it.
    let workerText = '';
    await waitUntil('tokens settled', async () => {
      workerText = await (await fetch(metricsUrl)).text();
      return sum(workerText, 'ragtime_tokens_total', { tier: 'free', direction: 'output' }) > outputBefore;
    }, 30_000);
    const output = sum(workerText, 'ragtime_tokens_total', { tier: 'free', direction: 'output' }) - outputBefore;
    expect(output).toBeLessThanOrEqual(16 + 4);
    expect(sum(workerText, 'ragtime_tokens_total', { tier: 'free', direction: 'input' })).toBeGreaterThan(inputBefore);
    const cost = sum(workerText, 'ragtime_cost_usd_total', { tier: 'free' }) - costBefore;
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThan(0.01);
    expect(sample(text, 'ragtime_rate_limit_rejections_total', { scope: 'user' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'ragtime_http_requests_total', { route: '/v1/chat/ws', method: 'GET', status: '101' })).toBeGreaterThanOrEqual(1);
    expect(sum(text, 'ragtime_http_request_duration_seconds_count', { route: '/v1/ingestion/jobs/:jobId', method: 'GET' })).toBeGreaterThanOrEqual(1);
    // The free tier's budget is $1 here: this chat spent a sliver of it (other suites' orgs may have spent more).
    const budgetUsed = sample(text, 'ragtime_budget_used_ratio', { tier: 'free' })!;
    expect(budgetUsed).toBeGreaterThanOrEqual(cost / 1);
    expect(Number.isFinite(budgetUsed)).toBe(true);
    expect(text).not.toContain(tenant);
    expect(text).not.toContain(first);
    expect(/^ragtime_websocket_connections (\S+)$/m.exec(text)?.[1]).toBe('0');
  });
});
