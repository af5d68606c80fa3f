// The ToolRunner adapter as the chat worker builds it: tools from configuration (absent settings, absent
// tool), per-tenant enablement in Postgres, the SQL tool on a real read-only role (a superuser is refused),
// and the runTools activity's retry decision and tool.result event.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createRunToolsActivity } from '../../activities/chat/run-tools.js';
import type { ChatActivityDependencies } from '../../activities/chat/dependencies.js';
import { ToolError } from '../../domain/tools/tool.js';
import { createPool, type Pool } from '../../infra/postgres/pool.js';
import { createRedis } from '../../infra/redis/redis-client.js';
import { EventStream } from '../../infra/redis/event-stream.js';
import { createConfiguredTools, type ConfiguredTools } from '../../infra/tools/configured-tools.js';
import { RegistryToolRunner } from '../../infra/tools/registry-tool-runner.js';
import { TenantToolSettings } from '../../infra/tools/tenant-tool-settings.js';
import { testConfig } from '../support/services.js';
import { createSqlSandbox, type SqlSandbox } from '../support/sql-sandbox.js';

const searchQueries: string[] = [];
let sandbox: SqlSandbox;
let search: Server;
let searchUrl: string;
let pool: Pool;
let configured: ConfiguredTools;
let superuserTools: ConfiguredTools;
let settings: TenantToolSettings;
let runner: RegistryToolRunner;
let redis: ReturnType<typeof createRedis>;
let events: EventStream;

function toolConfig(overrides: Record<string, string>) {
  return testConfig({ TOOL_HTTP_FETCH_ALLOWED_HOSTS: 'docs.example.com', TOOL_WEB_SEARCH_URL: searchUrl, TOOL_SQL_ALLOWED_TABLES: 'app.orders', ...overrides });
}

beforeAll(async () => {
  sandbox = await createSqlSandbox('tool_runner', (role) => `
    CREATE SCHEMA app;
    CREATE TABLE app.orders (id int PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL);
    INSERT INTO app.orders SELECT n, 'customer ' || (n % 3), n * 10 FROM generate_series(1, 9) AS n;
    GRANT USAGE ON SCHEMA app TO ${role};
    GRANT SELECT ON app.orders TO ${role};
  `);
  search = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://local');
    searchQueries.push(url.searchParams.get('q') ?? '');
    if (url.searchParams.get('q') === 'down') return void response.writeHead(503).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: [{ url: 'https://example.org/a', title: 'A result', content: 'x'.repeat(300) }] }));
  });
  await new Promise<void>((resolve) => search.listen(0, '127.0.0.1', resolve));
  searchUrl = `http://127.0.0.1:${(search.address() as AddressInfo).port}`;

  const config = toolConfig({ TOOL_SQL_DATABASE_URL: sandbox.roleUrl, TOOL_OUTPUT_MAX_CHARS: '120' });
  configured = createConfiguredTools(config);
  superuserTools = createConfiguredTools(toolConfig({ TOOL_SQL_DATABASE_URL: sandbox.superuserUrl }));
  pool = createPool(config.DATABASE_URL);
  settings = new TenantToolSettings(pool, 0);
  runner = new RegistryToolRunner(configured.registry, settings, { defaultEnabled: ['calculator', 'web_search', 'sql_query'], maxOutputChars: config.TOOL_OUTPUT_MAX_CHARS });
  redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  events = new EventStream(redis, 600);
});

afterAll(async () => {
  await configured?.close();
  await superuserTools?.close();
  await pool?.end();
  redis?.disconnect();
  await new Promise((resolve) => search?.close(resolve));
  await sandbox?.drop();
});

const call = (tool: string, args: Record<string, unknown>) => ({ id: `plan-${randomUUID().slice(0, 4)}`, tool, arguments: args });

describe('tools from configuration', () => {
  it('offers only the calculator when no tool settings are given', () => {
    expect(createConfiguredTools(testConfig()).registry.names()).toEqual(['calculator']);
  });

  it('offers every tool whose settings are present', () => {
    expect(configured.registry.names()).toEqual(['calculator', 'http_fetch', 'web_search', 'sql_query']);
  });
});

describe('per-tenant enablement', () => {
  it('gives a tenant without a setting the default, within the configured tools', async () => {
    const tenant = `t-${randomUUID().slice(0, 6)}`;
    expect((await runner.available(tenant)).map((tool) => tool.name)).toEqual(['calculator', 'web_search', 'sql_query']);
  });

  it('follows the tenant\'s own setting, refuses other tools, and falls back when it is removed', async () => {
    const tenant = `t-${randomUUID().slice(0, 6)}`;
    await settings.setEnabledTools(tenant, ['calculator', 'http_fetch', 'no_such_tool']);
    expect((await runner.available(tenant)).map((tool) => tool.name)).toEqual(['calculator', 'http_fetch']);
    const refused = await runner.run(tenant, call('web_search', { query: 'temporal' }), {}).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ToolError);
    expect(refused).toMatchObject({ code: 'refused', retryable: false });
    expect((await runner.run(tenant, call('calculator', { expression: '6 * 7' }), {})).content).toBe('6 * 7 = 42');
    await settings.setEnabledTools(tenant, undefined);
    expect((await runner.available(tenant)).map((tool) => tool.name)).toEqual(['calculator', 'web_search', 'sql_query']);
  });

  it('cuts long output to the configured size', async () => {
    const output = await runner.run('acme', call('web_search', { query: 'temporal' }), {});
    expect(output.content).toHaveLength(120 + '\n… (cut at 120 characters)'.length);
    expect(output).toMatchObject({ tool: 'web_search', title: 'Web search: temporal', source: 'Web search: temporal' });
  });
});

describe('the SQL tool on its configured role', () => {
  it('answers as the read-only role and refuses a write', async () => {
    const answer = await runner.run('acme', call('sql_query', { sql: 'SELECT count(*)::int AS n FROM app.orders WHERE customer = $1', params: ['customer 1'] }), {});
    expect(answer.content).toBe('1 row(s)\n[{"n":3}]');
    const write = await runner.run('acme', call('sql_query', { sql: 'DELETE FROM app.orders' }), {}).catch((error: unknown) => error);
    expect(write).toMatchObject({ code: 'refused', retryable: false });
    expect(runner.accepts({ tool: 'sql_query', arguments: { sql: 'DELETE FROM app.orders' } })).toBe(false);
  });

  it('refuses to run as a superuser', async () => {
    const error = await superuserTools.registry.run('sql_query', { sql: 'SELECT count(*) FROM app.orders' }, { signal: new AbortController().signal, tenant: 'acme' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'refused', retryable: false });
    expect((error as Error).message).toContain('too powerful');
  });
});

describe('the runTools activity', () => {
  const runTools = () => createRunToolsActivity({ events, tools: runner } as unknown as ChatActivityDependencies);

  it('publishes the result as a tool.result event and returns it for the prompt', async () => {
    const workflowId = `tools-${randomUUID()}`;
    const output = await new MockActivityEnvironment().run(runTools(), { workflowId, tenantId: 'acme', call: { id: 'plan-1', tool: 'calculator', arguments: { expression: '2^10' } } });
    expect(output).toEqual({ tool: 'calculator', callId: 'plan-1', content: '2^10 = 1024', title: 'Calculation: 2^10', source: 'Calculation: 2^10' });
    const published = await events.range(workflowId, 0);
    expect(published).toEqual([{ seq: 1, type: 'tool.result', data: { callId: 'plan-1', tool: 'calculator', arguments: { expression: '2^10' }, title: 'Calculation: 2^10', source: 'Calculation: 2^10', content: '2^10 = 1024' } }]);
  });

  it('lets Temporal retry an unreachable upstream but not a refusal, and reports a failure once it is final', async () => {
    const failure = async (tool: string, args: Record<string, unknown>, info?: ConstructorParameters<typeof MockActivityEnvironment>[0]) => {
      const workflowId = `tools-${randomUUID()}`;
      const error = await new MockActivityEnvironment(info)
        .run(runTools(), { workflowId, tenantId: 'acme', call: call(tool, args) })
        .catch((caught: unknown) => caught);
      return { error, published: await events.range(workflowId, 0) };
    };
    const down = await failure('web_search', { query: 'down' }, { attempt: 1, retryPolicy: { maximumAttempts: 2 } });
    expect(down.error).toBeInstanceOf(ApplicationFailure);
    expect(down.error).toMatchObject({ type: 'tool_upstream_failed', nonRetryable: false });
    expect(down.published, 'a retry follows: nothing told yet').toEqual([]);
    const downForGood = await failure('web_search', { query: 'down' }, { attempt: 2, retryPolicy: { maximumAttempts: 2 } });
    expect(downForGood.published).toEqual([expect.objectContaining({ type: 'tool.result', data: expect.objectContaining({ tool: 'web_search', error: expect.any(String) }) })]);
    const refused = await failure('calculator', { expression: 'import("fs")' });
    expect(refused.error).toMatchObject({ type: 'tool_invalid_arguments', nonRetryable: true });
    expect(refused.published).toEqual([expect.objectContaining({ type: 'tool.result', data: expect.objectContaining({ tool: 'calculator', error: (refused.error as Error).message }) })]);
  });
});
