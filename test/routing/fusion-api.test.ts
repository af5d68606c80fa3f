// POST /v1/fusion on two real local model endpoints (the suite's llama.cpp server and a second one): every
// strategy answers with a confidence in [0, 1] and each model's answer, writes one ledger entry per model
// call, and runs a fusion workflow an operator finds in Temporal by its search attributes; `stream: true`
// streams the fused answer as server-sent events. Bad requests are refused before any work.
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDefaults } from '../../domain/routing/model-registration.js';
import { freePort } from '../support/free-port.js';
import { apiKeyFor } from '../support/identities.js';
import { routingHarness, startConfiguredWorker, type RoutingHarness } from '../support/routing-stack.js';
import { startSecondModelServer, type ModelServer } from '../support/second-model-server.js';
import { services } from '../support/services.js';
import { startApi, type TestApi } from '../support/stack.js';
import { recordHistory } from '../support/record-history.js';

interface FusionBody {
  id: string; strategy: string; answer: string; confidence: number; winner: string | null; workflow_id: string; fusion_workflow_id: string;
  answers: { model: string; answer: string; latency_ms: number; usage: { completion_tokens: number }; cost_usd: number }[];
  usage: { total_tokens: number }; cost_usd: number;
}

describe('POST /v1/fusion', () => {
  const taskQueue = `fusion-api-${randomUUID().slice(0, 8)}`;
  const org = `fusion-api-${randomUUID().slice(0, 6)}`;
  let harness: RoutingHarness;
  let worker: { stop(): Promise<void> } | undefined;
  let api: TestApi;
  let second: ModelServer;
  let key: string;

  beforeAll(async () => {
    harness = await routingHarness({ MODEL_ENVIRONMENT: 'production', CHAT_TASK_QUEUE: taskQueue, FUSION_MAX_MODELS: '2' });
    second = await startSecondModelServer('fusion-api-second-model', 'fuse-b');
    await harness.registry.register(withDefaults({ model: 'fuse-a', endpoint: services().modelBaseUrl, environment: 'production', weight: 1, outputPrice: 1e-6 }));
    await harness.registry.register(withDefaults({ model: 'fuse-b', endpoint: second.baseUrl, environment: 'production', weight: 2, outputPrice: 2e-6 }));
    [worker, api, key] = await Promise.all([
      startConfiguredWorker(harness.config),
      startApi(taskQueue, { REDIS_KEY_PREFIX: harness.config.REDIS_KEY_PREFIX, MODEL_ENVIRONMENT: 'production', FUSION_MAX_MODELS: '2' }),
      apiKeyFor(org, { tier: 'pro' }),
    ]);
  });
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await second?.stop();
    await harness?.close();
  });

  const post = (body: unknown) => fetch(`${api.url}/v1/fusion`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const ledgerCalls = async (requestId: string) => (await harness.pool.query<{ model: string; completion_tokens: number; latency_ms: number | null }>(
    'SELECT model, completion_tokens, latency_ms FROM usage_ledger_calls WHERE org_id = $1 AND request_id = $2 ORDER BY seq', [org, requestId])).rows;
  async function findRun(query: string): Promise<string[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ids: string[] = [];
      for await (const execution of api.temporal.workflow.list({ query })) ids.push(execution.workflowId);
      if (ids.length > 0 || Date.now() > deadline) return ids;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  it.each(['first', 'voting', 'ranking', 'merging'] as const)('%s: a fused answer, its confidence, every answer, one ledger entry per call', { timeout: 180_000 }, async (strategy) => {
    const response = await post({ strategy, models: ['fuse-a', 'fuse-b'], messages: [{ role: 'user', content: 'Name one planet of the solar system.' }], max_tokens: 24 });
    expect(response.status).toBe(200);
    const body = await response.json() as FusionBody;
    expect(body.strategy).toBe(strategy);
    expect(body.answer.length).toBeGreaterThan(0);
    expect(body.confidence).toBeGreaterThanOrEqual(0);
    expect(body.confidence).toBeLessThanOrEqual(1);
    // First cancels the slower model (unless it finished before the cancellation reached it).
    if (strategy === 'first') expect(body.answers.length).toBeGreaterThanOrEqual(1);
    else expect(body.answers.map((answer) => answer.model).sort()).toEqual(['fuse-a', 'fuse-b']);
    for (const answer of body.answers) {
      expect(answer.answer.length).toBeGreaterThan(0);
      expect(answer.latency_ms).toBeGreaterThan(0);
      expect(answer.usage.completion_tokens).toBeGreaterThan(0);
      expect(answer.cost_usd).toBeGreaterThan(0);
    }
    if (strategy !== 'merging') expect(body.answers.find((answer) => answer.model === body.winner)!.answer).toBe(body.answer);

    const requestId = body.id.replace(/^fusion-/, '');
    const calls = await ledgerCalls(requestId);
    expect(calls.map((call) => call.model).sort()).toEqual(body.answers.map((answer) => answer.model).sort());
    for (const call of calls) expect(call.latency_ms).toBe(body.answers.find((answer) => answer.model === call.model)!.latency_ms);
    const settled = await harness.pool.query<{ status: string; completion_tokens: number }>('SELECT status, completion_tokens FROM usage_ledger WHERE org_id = $1 AND request_id = $2', [org, requestId]);
    expect(settled.rows[0]).toMatchObject({ status: 'settled', completion_tokens: calls.reduce((sum, call) => sum + call.completion_tokens, 0) });

    const runs = await findRun(`RagtimeTenant='${org}' AND RagtimeFusionStrategy='${strategy}' AND RagtimeConversation='${requestId}'`);
    expect(runs).toEqual([body.fusion_workflow_id]);

    // The new path (search attributes on the fusion child, behind a patch) replays against the bundle; with
    // RECORD_HISTORIES=1 the voting run is kept as a replay fixture for test/replay.
    const history = await api.temporal.workflow.getHandle(body.workflow_id).fetchHistory();
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: services().chatBundlePath } }, history, body.workflow_id)).resolves.toBeUndefined();
    if (strategy === 'voting') await recordHistory(api.temporal, body.workflow_id, 'fusion-voting');
  });

  it('streams the fused answer as server-sent events, then the whole result; the router picks n models', { timeout: 180_000 }, async () => {
    const response = await post({ strategy: 'voting', n: 2, stream: true, messages: [{ role: 'user', content: 'Name a fruit.' }], max_tokens: 16 });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = (await response.text()).split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => block.slice(6));
    expect(events.at(-1)).toBe('[DONE]');
    const objects = events.slice(0, -1).map((data) => JSON.parse(data) as { object: string; models?: string[]; delta?: string } & Partial<FusionBody>);
    expect(objects[0]).toEqual({ object: 'fusion.models', models: expect.arrayContaining(['fuse-a', 'fuse-b']) });
    const streamed = objects.filter((object) => object.object === 'fusion.chunk').map((object) => object.delta).join('');
    const result = objects.at(-1)!;
    expect(result.object).toBe('fusion');
    expect(streamed).toBe(result.answer);
    expect(result.answers!.map((answer) => answer.model).sort()).toEqual(['fuse-a', 'fuse-b']);
    expect(await ledgerCalls(result.id!.replace(/^fusion-/, ''))).toHaveLength(2);
  });

  it('a model that fails is left out of the fusion and is its own failed ledger entry, counted in its metrics', { timeout: 180_000 }, async () => {
    await harness.registry.register(withDefaults({ model: 'fuse-dead', endpoint: `http://127.0.0.1:${await freePort()}/v1`, environment: 'production' }));
    const response = await post({ strategy: 'voting', models: ['fuse-a', 'fuse-dead'], messages: [{ role: 'user', content: 'Name a river.' }], max_tokens: 16 });
    expect(response.status).toBe(200);
    const body = await response.json() as FusionBody;
    expect(body.answers.map((answer) => answer.model)).toEqual(['fuse-a']);
    expect(body.winner).toBe('fuse-a');
    const requestId = body.id.replace(/^fusion-/, '');
    const outcomes = (await harness.pool.query<{ model: string; outcome: string; completion_tokens: number }>(
      'SELECT model, outcome, completion_tokens FROM usage_ledger_calls WHERE org_id = $1 AND request_id = $2 ORDER BY seq', [org, requestId])).rows;
    expect(outcomes).toEqual([
      { model: 'fuse-a', outcome: 'completed', completion_tokens: body.answers[0]!.usage.completion_tokens },
      { model: 'fuse-dead', outcome: 'failed', completion_tokens: 0 },
    ]);
    const metrics = await (await fetch(`${api.url}/v1/providers/fuse-dead/metrics?window=15m`, { headers: { authorization: `Bearer ${key}` } })).json() as { requests: number; errors: number; error_rate: number };
    expect(metrics).toMatchObject({ requests: 1, errors: 1, error_rate: 1 });
  });

  it('refuses bad requests with a 4xx before any work', { timeout: 30_000 }, async () => {
    const messages = [{ role: 'user', content: 'Hi' }];
    const refusals = await Promise.all([
      post({ strategy: 'voting', models: ['fuse-a'], n: 2, messages }),
      post({ strategy: 'voting', models: ['fuse-a', 'nope'], messages }),
      post({ strategy: 'loudest', models: ['fuse-a'], messages }),
      post({ strategy: 'voting', messages: [] }),
      post({ strategy: 'voting', models: ['fuse-a', 'fuse-a'], messages }),
    ]);
    expect(refusals.map((response) => response.status)).toEqual([400, 404, 400, 400, 400]);
    const codes = await Promise.all(refusals.map(async (response) => ((await response.json()) as { error: { code: string } }).error.code));
    expect(codes).toEqual(['bad_request', 'model_not_found', 'bad_request', 'bad_request', 'bad_request']);
  });
});
