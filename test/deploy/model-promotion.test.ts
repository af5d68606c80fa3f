// `registry deployment promote|rollback|history`, run as an operator runs them (the CLI as its own process)
// against the real Postgres, Redis and the llama.cpp model server of the global setup. Unhealthy staging
// endpoints are a port with nothing listening, a server answering 500, and an OpenAI-compatible server that
// is up but answers with nothing (the smoke chat's gate).
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../infra/postgres/pool.js';
import { createRedis } from '../../infra/redis/redis-client.js';
import { CachedModelRegistry } from '../../infra/registry/cached-model-registry.js';
import { PostgresModelRegistry } from '../../infra/registry/postgres-model-registry.js';
import { PostgresDeploymentHistory } from '../../infra/registry/postgres-deployment-history.js';
import { withDefaults, type DeploymentEnvironment, type ModelRegistration } from '../../domain/routing/model-registration.js';
import { freePort } from '../support/free-port.js';
import { projectRoot } from '../support/processes.js';
import { services, testEnvironment } from '../support/services.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const execFileAsync = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(path.join(projectRoot, 'node_modules/.bin/tsx'), ['scripts/registry.ts', ...args, '--actor', 'release-bot'], {
      cwd: projectRoot, env: { ...process.env, ...testEnvironment() }, timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failure.code !== 'number') throw error;
    return { code: failure.code, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

interface Recorded { method: string; url: string; body: string }

/** A local HTTP server that records what it received and answers with `handler`. */
async function recordingServer(handler: (request: Recorded, response: http.ServerResponse) => void): Promise<{ url: string; received: Recorded[]; close(): Promise<void> }> {
  const received: Recorded[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const recorded = { method: request.method ?? '', url: request.url ?? '', body };
      received.push(recorded);
      handler(recorded, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('deployment promote and rollback (admin CLI)', () => {
  let pool: Pool;
  let registry: CachedModelRegistry;
  let secondEndpoint: TcpProxy;
  const cleanup: (() => Promise<unknown>)[] = [];

  const entry = async (model: string, environment: DeploymentEnvironment): Promise<ModelRegistration | undefined> =>
    (await new PostgresModelRegistry(pool).list(environment)).find((registration) => registration.model === model);
  // Staging entries are set up in-process (the registry's own tests cover `registry register`).
  const register = (model: string, endpoint: string, fields: Partial<ModelRegistration> = {}) =>
    registry.register(withDefaults({ model, endpoint, environment: 'staging', ...fields }));

  beforeAll(async () => {
    pool = createPool(services().databaseUrl);
    const redis = createRedis(services().redisUrl, services().redisKeyPrefix);
    // A worker's view of production: a long TTL, so only the CLI's invalidation can make it see changes.
    registry = new CachedModelRegistry(new PostgresModelRegistry(pool), redis, { ttlSeconds: 600 });
    // The same llama.cpp server under a second address, as a new staging deployment would be.
    secondEndpoint = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(services().modelServerUrl).port) });
    cleanup.push(() => pool.end(), async () => redis.disconnect(), () => secondEndpoint.close());
  });
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('refuses a staging endpoint with nothing listening, and leaves production alone', async () => {
    await register('ghost', `http://127.0.0.1:${await freePort()}/v1`);
    const result = await cli('deployment', 'promote', '--model', 'ghost', '--from', 'staging', '--to', 'production');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error \(unhealthy\): refusing to promote ghost: its staging endpoint .* is unhealthy/);
    expect(await entry('ghost', 'production')).toBeUndefined();
    expect((await entry('ghost', 'staging'))?.lastHealthStatus).toBe('unhealthy');
    expect((await cli('deployment', 'history', '--model', 'ghost')).stdout).not.toMatch(/promote/);
  });

  it('refuses a staging endpoint whose server answers 500, before any chat', async () => {
    const broken = await recordingServer((_request, response) => response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}'));
    cleanup.push(() => broken.close());
    await register('broken', `${broken.url}/v1`);
    const result = await cli('deployment', 'promote', '--model', 'broken', '--from', 'staging', '--to', 'production');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error (unhealthy)');
    expect(result.stderr).toContain('health: 500');
    expect(broken.received.map((request) => request.url)).toContain('/health');
    expect(broken.received.some((request) => request.url.endsWith('/chat/completions'))).toBe(false);
    expect(await entry('broken', 'production')).toBeUndefined();
  });

  it('refuses a healthy endpoint whose smoke chat comes back empty', async () => {
    // Protocol-faithful OpenAI-compatible server: health and models answer, the completion stream has no text.
    const mute = await recordingServer((request, response) => {
      if (request.url === '/health') return response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      if (request.url === '/v1/models') return response.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"mute","object":"model"}]}');
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'mute', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      response.end(chunk({ role: 'assistant', content: '' }, null) + chunk({}, 'stop') + 'data: [DONE]\n\n');
    });
    cleanup.push(() => mute.close());
    await register('mute', `${mute.url}/v1`);
    const result = await cli('deployment', 'promote', '--model', 'mute', '--from', 'staging', '--to', 'production');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error \(smoke_failed\): refusing to promote mute: the smoke chat through .* failed \(empty answer\)/);
    const chat = mute.received.filter((request) => request.url === '/v1/chat/completions');
    expect(chat).toHaveLength(1);
    expect(JSON.parse(chat[0]!.body)).toMatchObject({ model: 'mute', stream: true });
    expect(await entry('mute', 'production')).toBeUndefined();
  });

  it('promotes a healthy staging endpoint that answers, copying its entry; a second promotion keeps the first for rollback', async () => {
    await register('fast', services().modelBaseUrl, {
      inputPrice: 0.000001, outputPrice: 0.000002, contextLength: 2048, capabilities: { tools: true, jsonMode: false }, tiers: ['pro', 'enterprise'], fallbacks: ['base'],
    });
    expect(await registry.list('production')).toEqual([]); // the worker's cached view, empty for now

    const first = await cli('deployment', 'promote', '--model', 'fast', '--from', 'staging', '--to', 'production');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/promoted fast staging → production \(deployment \d+\)/);
    expect(first.stdout).toMatch(/smoke chat \d+ ms: ".+"/);
    const promoted = await entry('fast', 'production');
    expect(promoted).toMatchObject({
      endpoint: services().modelBaseUrl, status: 'ready', inputPrice: 0.000001, outputPrice: 0.000002, contextLength: 2048,
      capabilities: { tools: true, jsonMode: false }, tiers: ['pro', 'enterprise'], fallbacks: ['base'],
    });
    // Workers see it at once, through the shared cache the CLI invalidated.
    expect((await registry.list('production')).map((registration) => registration.endpoint)).toEqual([services().modelBaseUrl]);

    // A new staging deployment of the same model, then promoted over the first.
    await register('fast', `${secondEndpoint.url}/v1`, { inputPrice: 0.000003 });
    const second = await cli('deployment', 'promote', '--model', 'fast', '--from', 'staging', '--to', 'production');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`replaced ${services().modelBaseUrl} (kept for rollback)`);
    expect(await entry('fast', 'production')).toMatchObject({ endpoint: `${secondEndpoint.url}/v1`, inputPrice: 0.000003 });

    const { rows } = await pool.query<{ state: string; actor: string; source_environment: string; previous_endpoint: string | null; smoke_ok: boolean }>(
      `SELECT state, actor, source_environment, previous_registration->>'endpoint' AS previous_endpoint, (checks->'smoke'->>'ok')::boolean AS smoke_ok
         FROM model_deployments WHERE model = 'fast' ORDER BY id`,
    );
    expect(rows).toEqual([
      { state: 'superseded', actor: 'release-bot', source_environment: 'staging', previous_endpoint: null, smoke_ok: true },
      { state: 'active', actor: 'release-bot', source_environment: 'staging', previous_endpoint: services().modelBaseUrl, smoke_ok: true },
    ]);
  }, 300_000); // two real completions on a shared, loaded CPU

  it('rolls back to the previous entry, then to none (disabled), then has nothing to roll back', async () => {
    const back = await cli('deployment', 'rollback', '--model', 'fast', '--env', 'production');
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(`restored ${services().modelBaseUrl} (ready)`);
    expect(await entry('fast', 'production')).toMatchObject({ endpoint: services().modelBaseUrl, status: 'ready', inputPrice: 0.000001, tiers: ['pro', 'enterprise'] });
    expect((await registry.list('production'))[0]).toMatchObject({ endpoint: services().modelBaseUrl, status: 'ready' });

    // The first promotion is active again; rolling it back leaves production without the model.
    const again = await cli('deployment', 'rollback', '--model', 'fast', '--env', 'production');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('it had no entry before, so it is now disabled there');
    expect((await entry('fast', 'production'))?.status).toBe('disabled');
    expect((await registry.list('production'))[0]?.status).toBe('disabled');

    const nothing = await cli('deployment', 'rollback', '--model', 'fast', '--env', 'production');
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('error (nothing_to_roll_back): nothing to roll back: no promotion of fast is active in production');

    const { rows } = await pool.query<{ action: string; state: string | null }>(`SELECT action, state FROM model_deployments WHERE model = 'fast' ORDER BY id`);
    expect(rows).toEqual([
      { action: 'promote', state: 'rolled-back' },
      { action: 'promote', state: 'rolled-back' },
      { action: 'rollback', state: null },
      { action: 'rollback', state: null },
    ]);
    const history = await cli('deployment', 'history', '--model', 'fast', '--env', 'production');
    expect(history.code).toBe(0);
    expect(history.stdout.match(/rollback/g)).toHaveLength(2);
    // `deployment status` still probes the environment's endpoints: the disabled entry's server is up.
    const status = await cli('deployment', 'status', '--env', 'production');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/'fast' .*'disabled' .*'healthy' .*'200'/);
  });

  it('keeps one active promotion and an unbroken chain when promotions race', async () => {
    const history = new PostgresDeploymentHistory(pool);
    const checks = { health: { healthy: true, health: '200', latencyMs: 1 }, smoke: { ok: true, answer: 'hi', latencyMs: 1 } };
    const endpoints = Array.from({ length: 6 }, (_, index) => `http://10.0.0.${index + 1}:8000/v1`);
    const records = await Promise.all(endpoints.map((endpoint) =>
      history.promote({ registration: withDefaults({ model: 'race', endpoint, environment: 'production' }), sourceEnvironment: 'staging', checks, actor: 'release-bot' })));
    const { rows } = await pool.query<{ id: string; state: string; endpoint: string; previous_deployment_id: string | null; previous_endpoint: string | null }>(
      `SELECT id, state, registration->>'endpoint' AS endpoint, previous_deployment_id, previous_registration->>'endpoint' AS previous_endpoint
         FROM model_deployments WHERE model = 'race' ORDER BY id`,
    );
    expect(rows.map((row) => row.state)).toEqual([...Array(5).fill('superseded'), 'active']);
    // Each promotion replaced exactly the one before it, entry and record alike.
    rows.forEach((row, index) => {
      expect(row.previous_deployment_id).toBe(index === 0 ? null : rows[index - 1]!.id);
      expect(row.previous_endpoint).toBe(index === 0 ? null : rows[index - 1]!.endpoint);
    });
    expect(new Set(records.map((record) => record.id)).size).toBe(6);
    expect((await entry('race', 'production'))?.endpoint).toBe(rows[5]!.endpoint);
  });

  it('answers unknown models and wrong steps with a clear error and a non-zero exit', async () => {
    const unknownPromote = await cli('deployment', 'promote', '--model', 'nope', '--from', 'staging', '--to', 'production');
    expect(unknownPromote.code).toBe(1);
    expect(unknownPromote.stderr).toContain('error (unknown_model): model nope is not registered in staging');
    const unknownRollback = await cli('deployment', 'rollback', '--model', 'nope', '--env', 'production');
    expect(unknownRollback.code).toBe(1);
    expect(unknownRollback.stderr).toContain('error (unknown_model)');
    const skipped = await cli('deployment', 'promote', '--model', 'fast', '--from', 'development', '--to', 'production');
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toContain('error (invalid_step): cannot promote from development to production');
    await register('paused', services().modelBaseUrl, { status: 'disabled' });
    const disabled = await cli('deployment', 'promote', '--model', 'paused', '--from', 'staging', '--to', 'production');
    expect(disabled.code).toBe(1);
    expect(disabled.stderr).toContain('error (model_disabled): model paused is disabled in staging');
    const missing = await cli('deployment', 'promote', '--model', 'fast', '--from', 'staging');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--to is required');
  });
});
