// What the gateway costs per request, side by side in one run, against one fast local upstream (an
// in-process OpenAI-compatible server that answers at once):
//   1. the gate alone (authenticate + rate limits + budget reservation, then settlement), in-process;
//   2. /v1/embeddings: direct to the upstream vs through Ragtime vs through the LiteLLM proxy (PyPI
//      `litellm[proxy]` in .data/litellm-venv, started here when present): the same proxying job for both;
//   3. /v1/chat/completions through Ragtime (gate + chatTurnWorkflow) vs starting the same workflow directly
//      with the same start options (no gate, no HTTP), and requests/s at a fixed concurrency, with LiteLLM's chat req/s for reference.
// Needs Temporal, Postgres and Redis (./ragtime up).
//   npx tsx bench/gateway-latency.ts [--runs 300] [--concurrency 8] [--temporal 127.0.0.1:7233]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { buildApp } from '../api/app.js';
import { startChatTurn } from '../clients/chat-turns.js';
import { Authenticator } from '../api/gateway/authenticator.js';
import { Gate } from '../api/gateway/gate.js';
import { createGatewayDependencies } from '../api/server.js';
import { loadConfig } from '../infra/config.js';
import { createLogger } from '../infra/logger.js';
import { createPool } from '../infra/postgres/pool.js';
import { migrate } from '../infra/postgres/migrate.js';
import { createRedis } from '../infra/redis/redis-client.js';
import { EventStream } from '../infra/redis/event-stream.js';
import { createChatWorker } from '../workers/chat-worker.js';
import { withDefaults } from '../domain/routing/model-registration.js';
import { PostgresModelRegistry } from '../infra/registry/postgres-model-registry.js';
import { mean, percentile } from './lib/metrics.js';
import { printTable } from './lib/table.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : args[index + 1] ?? fallback;
};
const runs = Number(option('runs', '300'));
const concurrency = Number(option('concurrency', '8'));
const chatModel = 'bench-chat';
const embedModel = 'bench-embed';
const roomy = { requestsPerMinute: 1_000_000, tokensPerMinute: 1_000_000_000, concurrentStreams: 10_000 };
const tier = { org: roomy, user: roomy, monthlyBudgetUsd: 1_000_000 };

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const upstream = await startUpstream();
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  const taskQueue = `bench-gateway-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    TEMPORAL_ADDRESS: option('temporal', '127.0.0.1:7233'),
    DATABASE_URL: option('database', 'postgres://postgres@127.0.0.1:5432/ragtime'),
    REDIS_URL: option('redis', 'redis://127.0.0.1:6379'),
    REDIS_KEY_PREFIX: `bench-gateway:${randomUUID().slice(0, 6)}:`,
    CHAT_TASK_QUEUE: taskQueue,
    LLM_BASE_URL: upstreamUrl,
    LLM_MODEL: chatModel,
    MODEL_ENVIRONMENT: 'staging',
    EMBEDDINGS_BASE_URL: upstreamUrl,
    EMBEDDINGS_MODEL: embedModel,
    EMBEDDINGS_API_KEY: 'sk-upstream',
    RESPONSE_CACHE_TTL_SECONDS: '0',
    GATEWAY_TIERS: JSON.stringify({ free: tier, pro: tier, enterprise: tier }),
    MODEL_PRICES: JSON.stringify({ [chatModel]: { inputPerMillionUsd: 0.1, outputPerMillionUsd: 0.2 }, [embedModel]: { inputPerMillionUsd: 0.01, outputPerMillionUsd: 0 } }),
    LOG_LEVEL: 'error',
  });

  const pool = createPool(config.DATABASE_URL);
  await migrate(pool);
  // This run's upstream, whatever an earlier run registered.
  await new PostgresModelRegistry(pool).register(withDefaults({ model: chatModel, endpoint: upstreamUrl, environment: 'staging' }));
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const gateway = createGatewayDependencies(config, { pool, redis });
  const app = await buildApp({ temporal, redis, pool, events: new EventStream(redis, 600), gateway, taskQueue, maxMessageBytes: 65_536, logLevel: 'error', settleSweepSeconds: 0 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const apiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`;
  const { worker, close: closeWorker } = await createChatWorker(config);
  const running = worker.run();

  const orgId = `bench-${randomUUID().slice(0, 6)}`;
  await gateway.identities.createOrg('bench', { id: orgId, name: orgId, tier: 'enterprise' });
  await gateway.identities.createUser('bench', { orgId, id: 'bench' });
  const { key } = await gateway.identities.createKey('bench', { orgId, userId: 'bench' });
  const litellm = await startLiteLLM(upstreamUrl);

  try {
    // 1. The gate alone.
    const logger = createLogger('error', 'bench');
    const authenticator = new Authenticator({ identities: gateway.identities, orgClaim: 'org_id', tiers: gateway.tiers });
    const gate = new Gate({ limiter: gateway.sharedLimiter, ledger: gateway.ledger, prices: gateway.prices, tiers: gateway.tiers, temporal, leaseMs: 60_000, defaultModel: chatModel, logger: logger as never });
    const admitMs: number[] = [];
    const settleMs: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now();
      const principal = await authenticator.authenticate({ authorization: `Bearer ${key}` });
      const admission = await gate.admit(principal, { requestId: randomUUID(), endpoint: 'embeddings', model: embedModel, promptText: 'hello world', maxTokens: 0 });
      const admitted = performance.now();
      await gate.settle(admission, { model: embedModel, usage: { promptTokens: 3, completionTokens: 0 }, outcome: 'completed', cached: false, usageSource: 'model' });
      admitMs.push(admitted - started);
      settleMs.push(performance.now() - admitted);
    }

    // 2. Embeddings: the same proxying job, interleaved.
    const embed = (base: string, bearer: string) => timed(() => post(`${base}/embeddings`, bearer, { model: embedModel, input: 'hello world' }));
    const embeddings: Record<string, number[]> = { direct: [], ragtime: [], ...(litellm ? { litellm: [] } : {}) };
    for (let run = 0; run < 20; run += 1) await Promise.all([embed(upstreamUrl, 'sk-upstream'), embed(apiUrl, key), ...(litellm ? [embed(litellm.url, 'sk-bench')] : [])]);
    for (let run = 0; run < runs; run += 1) {
      embeddings.direct!.push(await embed(upstreamUrl, 'sk-upstream'));
      embeddings.ragtime!.push(await embed(apiUrl, key));
      if (litellm) embeddings.litellm!.push(await embed(litellm.url, 'sk-bench'));
    }

    // 3. Chat: through the gateway vs the workflow started directly.
    const chatRuns = Math.max(20, Math.floor(runs / 5));
    const chatBody = { model: chatModel, messages: [{ role: 'user', content: 'Say hi.' }], max_tokens: 16 };
    const viaGateway: number[] = [];
    const viaWorkflow: number[] = [];
    for (let run = 0; run < chatRuns; run += 1) {
      viaGateway.push(await timed(() => post(`${apiUrl}/chat/completions`, key, chatBody)));
      viaWorkflow.push(await timed(async () => {
        // The same start (search attributes, memo) the endpoint makes, without the gate and HTTP.
        const requestId = randomUUID();
        const workflowId = await startChatTurn(temporal, { taskQueue }, { tenantId: orgId, userId: 'bench', tier: 'pro', requestId, conversationId: requestId, question: 'Say hi.', model: chatModel, maxTokens: 16 });
        await temporal.workflow.getHandle(workflowId).result();
      }));
    }
    const chatThroughput = await throughput(() => post(`${apiUrl}/chat/completions`, key, chatBody), chatRuns * 2);
    const litellmThroughput = litellm ? await throughput(() => post(`${litellm.url}/chat/completions`, 'sk-bench', chatBody), chatRuns * 2) : undefined;

    const row = (name: string, values: number[]) => [name, percentile(values, 0.5), percentile(values, 0.99), mean(values)];
    console.log(`\nGateway latency, ${runs} runs (${chatRuns} for chat), one fast local upstream\n`);
    printTable([
      ['path', 'p50 ms', 'p99 ms', 'mean ms'],
      row('gate: authenticate + limits + budget', admitMs),
      row('gate: settle (after the answer)', settleMs),
      row('embeddings direct to upstream', embeddings.direct!),
      row('embeddings through Ragtime', embeddings.ragtime!),
      ...(litellm ? [row('embeddings through LiteLLM proxy', embeddings.litellm!)] : []),
      row('chat: workflow started directly', viaWorkflow),
      row('chat: /v1/chat/completions (gate + workflow)', viaGateway),
    ]);
    const added = (values: number[]) => percentile(values, 0.5) - percentile(embeddings.direct!, 0.5);
    const added99 = (values: number[]) => percentile(values, 0.99) - percentile(embeddings.direct!, 0.99);
    console.log('');
    printTable([
      ['added over direct', 'p50 ms', 'p99 ms'],
      ['Ragtime /v1/embeddings', added(embeddings.ragtime!), added99(embeddings.ragtime!)],
      ...(litellm ? [['LiteLLM /v1/embeddings', added(embeddings.litellm!), added99(embeddings.litellm!)]] : []),
      ['Ragtime chat over direct workflow', percentile(viaGateway, 0.5) - percentile(viaWorkflow, 0.5), percentile(viaGateway, 0.99) - percentile(viaWorkflow, 0.99)],
    ]);
    if (litellm) console.log(`\nRagtime added / LiteLLM added (p50, embeddings): ${(added(embeddings.ragtime!) / added(embeddings.litellm!)).toFixed(2)}`);
    else console.log('\nLiteLLM: not installed (.data/litellm-venv/bin/litellm); install with: python3 -m venv .data/litellm-venv && .data/litellm-venv/bin/pip install "litellm[proxy]"');
    console.log(`\n/v1/chat/completions at concurrency ${concurrency}: Ragtime (gate + durable workflow) ${chatThroughput.toFixed(1)} req/s`
      + (litellmThroughput ? `; LiteLLM (stateless pass-through) ${litellmThroughput.toFixed(1)} req/s` : ''));
  } finally {
    litellm?.child.kill('SIGTERM');
    worker.shutdown();
    await running;
    await closeWorker();
    // Closes the Temporal connection, the pool and Redis it was given.
    await app.close();
    upstream.close();
  }
}

async function post(url: string, bearer: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 200)}`);
}

async function timed(operation: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await operation();
  return performance.now() - started;
}

async function throughput(operation: () => Promise<void>, total: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next += 1;
      await operation();
    }
  }));
  return total / ((performance.now() - started) / 1000);
}

/** An OpenAI-compatible server that answers at once: fixed embeddings and an eight-token chat answer. */
async function startUpstream(): Promise<Server> {
  const words = ['Hi', ' there', ',', ' how', ' can', ' I', ' help', '?'];
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (data: Buffer) => { raw += data; });
    request.on('end', () => {
      const body = JSON.parse(raw || '{}') as { stream?: boolean; model?: string };
      if (request.url?.endsWith('/embeddings')) {
        return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          object: 'list', model: body.model, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3, 0.4] }], usage: { prompt_tokens: 3, total_tokens: 3 },
        }));
      }
      const usage = { prompt_tokens: 12, completion_tokens: words.length, total_tokens: 12 + words.length };
      const base = { id: 'up', created: 0, model: body.model };
      if (!body.stream) {
        return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: 'stop' }], usage,
        }));
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const word of words) response.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: word }, finish_reason: null }] })}\n\n`);
      response.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      response.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function startLiteLLM(upstreamUrl: string): Promise<{ url: string; child: ChildProcess } | undefined> {
  const binary = path.resolve(option('litellm', '.data/litellm-venv/bin/litellm'));
  if (!existsSync(binary)) return undefined;
  const directory = mkdtempSync(path.join(tmpdir(), 'litellm-bench-'));
  const configFile = path.join(directory, 'config.yaml');
  writeFileSync(configFile, [
    'model_list:',
    ...[embedModel, chatModel].flatMap((name) => [`  - model_name: ${name}`, '    litellm_params:', `      model: openai/${name}`, `      api_base: ${upstreamUrl}`, '      api_key: sk-upstream']),
    'general_settings:',
    '  master_key: sk-bench',
  ].join('\n'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(binary, ['--config', configFile, '--port', String(port), '--host', '127.0.0.1', '--num_workers', '1'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 240; attempt += 1) {
    if (child.exitCode !== null) return undefined;
    try {
      if ((await fetch(`${url}/health/liveliness`)).ok) return { url: `${url}/v1`, child };
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill('SIGTERM');
  return undefined;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
