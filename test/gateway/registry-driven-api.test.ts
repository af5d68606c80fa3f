// The registry drives the OpenAI-compatible API: a model registered with the admin CLI (its own process) is
// listed and streamed from by name through the official `openai` client at once, on a second real llama.cpp
// server; disabled, its fallback answers; disabled with no fallback, it is refused; deregistered, it is gone;
// a free-tier key never sees a model limited to higher tiers. /v1/providers shows the breaker a killed model
// server opened at the next request, and /v1/providers/{model}/metrics reads the call ledger per org.
import { createHash, randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatTurnResult } from '../../domain/chat/chat-request.js';
import { withDefaults } from '../../domain/routing/model-registration.js';
import { apiKeyFor } from '../support/identities.js';
import { routingHarness, startConfiguredWorker, type RoutingHarness } from '../support/routing-stack.js';
import { registryCli, startSecondModelServer, type ModelServer } from '../support/second-model-server.js';
import { services } from '../support/services.js';
import { startApi, type TestApi } from '../support/stack.js';

const operatorToken = `operator-${randomUUID()}`;

interface ProviderEntry { model: string; status: string; circuit: { state: string; consecutive_failures: number }; health: { status: string }; endpoint?: string; pricing: { output_per_million_usd: number }; context_length: number; capabilities: Record<string, unknown> }

describe('the registry drives the API', () => {
  const taskQueue = `registry-api-${randomUUID().slice(0, 8)}`;
  let harness: RoutingHarness;
  let worker: { stop(): Promise<void> } | undefined;
  let api: TestApi;
  let second: ModelServer;
  let pro: OpenAI;
  let free: OpenAI;
  let proKey: string;
  let freeKey: string;
  const proOrg = `reg-pro-${randomUUID().slice(0, 6)}`;
  const cliEnv = () => ({ REDIS_KEY_PREFIX: harness.config.REDIS_KEY_PREFIX, MODEL_ENVIRONMENT: 'staging' });

  beforeAll(async () => {
    harness = await routingHarness({ MODEL_ENVIRONMENT: 'staging', CHAT_TASK_QUEUE: taskQueue, BREAKER_FAILURE_THRESHOLD: '1', BREAKER_OPEN_MS: '120000', LLM_FIRST_TOKEN_TIMEOUT_MS: '60000' });
    await harness.registry.register(withDefaults({ model: 'base', endpoint: services().modelBaseUrl, environment: 'staging' }));
    [second, worker, api, proKey, freeKey] = await Promise.all([
      startSecondModelServer('registry-api-second-model', 'second-model'),
      startConfiguredWorker(harness.config),
      startApi(taskQueue, {
        REDIS_KEY_PREFIX: harness.config.REDIS_KEY_PREFIX, MODEL_ENVIRONMENT: 'staging', BREAKER_FAILURE_THRESHOLD: '1', BREAKER_OPEN_MS: '120000',
        ADMIN_API_TOKEN_SHA256: createHash('sha256').update(operatorToken).digest('hex'),
      }),
      apiKeyFor(proOrg, { tier: 'pro' }),
      apiKeyFor(`reg-free-${randomUUID().slice(0, 6)}`, { tier: 'free' }),
    ]);
    pro = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: proKey, maxRetries: 0 });
    free = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: freeKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await second?.stop();
    await harness?.close();
  });

  const listed = async (client: OpenAI) => (await client.models.list()).data.map((model) => model.id);
  const providers = async (key: string) => ((await (await fetch(`${api.url}/v1/providers`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: ProviderEntry[] }).data;
  const predictedTokens = async () => Number(/llamacpp:tokens_predicted_total (\d+)/.exec(await (await fetch(`${second.baseUrl.replace(/\/v1$/, '')}/metrics`)).text())?.[1] ?? NaN);
  const servedModel = async (completion: object) => {
    const workflowId = (completion as { ragtime: { workflow_id: string } }).ragtime.workflow_id;
    return ((await api.temporal.workflow.getHandle(workflowId).result()) as ChatTurnResult).model;
  };

  it('a registered model is listed and streamed from by name at once; a free key never sees it', { timeout: 240_000 }, async () => {
    expect(await listed(pro)).not.toContain('second-model');
    await registryCli(['registry', 'register', '--model', 'second-model', '--endpoint', second.baseUrl, '--env', 'staging', '--tiers', 'pro,enterprise',
      '--fallbacks', 'base', '--output-price', '0.000002', '--context', '4096', '--tools', '--sampling-params', 'top_k,min_p'], cliEnv());

    expect(await listed(pro)).toEqual(expect.arrayContaining(['base', 'second-model']));
    expect(await listed(free)).toContain('base');
    expect(await listed(free)).not.toContain('second-model');
    await expect(free.models.retrieve('second-model')).rejects.toMatchObject({ status: 404 });
    await expect(free.chat.completions.create({ model: 'second-model', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8 }))
      .rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    expect((await providers(freeKey)).map((entry) => entry.model)).toEqual(['base']);

    const before = await predictedTokens();
    const stream = await pro.chat.completions.create({ model: 'second-model', messages: [{ role: 'user', content: 'Name a colour.' }], max_tokens: 16, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    // The second server generated it: its own token counter moved.
    expect(await predictedTokens()).toBeGreaterThan(before);

    const entry = (await providers(proKey)).find((candidate) => candidate.model === 'second-model')!;
    expect(entry).toMatchObject({ status: 'ready', circuit: { state: 'closed' }, context_length: 4096, capabilities: { tools: true, json_mode: false, vision: false, logprobs: false, sampling_params: ['top_k', 'min_p'] }, pricing: { output_per_million_usd: 2 } });
    expect(entry.endpoint).toBeUndefined();
  });

  it('disabled, it is served by its fallback chain with no restart; with no fallback it is refused', { timeout: 240_000 }, async () => {
    await registryCli(['registry', 'disable', '--model', 'second-model', '--env', 'staging'], cliEnv());
    expect(await listed(pro)).not.toContain('second-model');
    const before = await predictedTokens();
    const completion = await pro.chat.completions.create({ model: 'second-model', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 8 });
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(await servedModel(completion)).toBe('base');
    expect(await predictedTokens()).toBe(before);

    await harness.registry.register(withDefaults({ model: 'lonely', endpoint: second.baseUrl, environment: 'staging', status: 'disabled', tiers: ['pro'] }));
    await expect(pro.chat.completions.create({ model: 'lonely', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8 }))
      .rejects.toMatchObject({ status: 404, code: 'model_disabled' });
    await registryCli(['registry', 'enable', '--model', 'second-model', '--env', 'staging'], cliEnv());
    expect(await listed(pro)).toContain('second-model');
  });

  it('/v1/providers shows the breaker a killed model server opened, at the next request', { timeout: 240_000 }, async () => {
    await second.stop();
    // One request: the second server refuses the connection, the breaker opens (threshold 1), its fallback answers.
    const completion = await pro.chat.completions.create({ model: 'second-model', messages: [{ role: 'user', content: 'Say yes.' }], max_tokens: 8 });
    expect(await servedModel(completion)).toBe('base');
    const entry = (await providers(proKey)).find((candidate) => candidate.model === 'second-model')!;
    expect(entry.circuit.state).toBe('open');
    expect(entry.health.status).toBe('unhealthy');
    expect((await providers(proKey)).find((candidate) => candidate.model === 'base')!.circuit.state).toBe('closed');
  });

  it('per-model metrics come from the call ledger: the caller\'s org, or every org for an operator', { timeout: 60_000 }, async () => {
    const metrics = async (headers: Record<string, string>, query = '') => {
      const response = await fetch(`${api.url}/v1/providers/second-model/metrics?window=1h${query}`, { headers });
      return { status: response.status, body: await response.json() as { org_id: string | null; requests: number; errors: number; tokens: { completion_tokens: number }; cost_usd: number; latency: { p50_ms: number | null; samples: number } } };
    };
    const own = await metrics({ authorization: `Bearer ${proKey}` });
    expect(own.status).toBe(200);
    expect(own.body.org_id).toBe(proOrg);
    // The streamed answer. The call to the killed server served nothing, so it is not a ledger entry (the
    // breaker counted it): the failover's fallback answered and was charged under 'base'.
    expect(own.body.requests).toBe(1);
    expect(own.body.errors).toBe(0);
    expect(own.body.tokens.completion_tokens).toBeGreaterThan(0);
    expect(own.body.cost_usd).toBeGreaterThan(0);
    expect(own.body.latency.samples).toBeGreaterThan(0);
    const other = await metrics({ authorization: `Bearer ${await apiKeyFor(`reg-other-${randomUUID().slice(0, 6)}`, { tier: 'pro' })}` });
    expect(other.body.requests).toBe(0);
    const operator = await metrics({ 'x-ragtime-admin-token': operatorToken });
    expect(operator.body.org_id).toBeNull();
    expect(operator.body.requests).toBeGreaterThanOrEqual(1);
    expect((await metrics({ 'x-ragtime-admin-token': 'wrong' })).status).toBe(401);
    expect((await metrics({ authorization: `Bearer ${proKey}` }, `&org=${proOrg}`)).status).toBe(400);
    expect((await metrics({ authorization: `Bearer ${freeKey}` })).status).toBe(404);
  });

  it('deregistered, it is gone', { timeout: 60_000 }, async () => {
    await registryCli(['registry', 'deregister', '--model', 'second-model', '--env', 'staging'], cliEnv());
    expect(await listed(pro)).not.toContain('second-model');
    await expect(pro.chat.completions.create({ model: 'second-model', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8 }))
      .rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });
});
