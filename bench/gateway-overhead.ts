// What durability costs per chat turn, side by side in one run: the same OpenAI-compatible upstream called
// directly, through the LiteLLM proxy (PyPI `litellm[proxy]`, one worker, no database) and through Ragtime
// (API with its embedded chat worker, Temporal dev server, Redis, Postgres), /v1/chat/completions streamed and
// not (the `non-streamed` targets) and Ragtime's WebSocket chat, at 1, 8 and 32 concurrent clients. Prints TTFT
// and end-to-end p50/p95, requests/s and CPU milliseconds per request of every process involved (from /proc),
// with ratios.
//
// Everything but Postgres is started here on free ports (Temporal with the stack's SQLite settings, a
// private redis-server); Postgres CPU is that of the backends connected to the bench database.
//   npx tsx bench/gateway-overhead.ts [--upstream fast|llama] [--tokens 32] [--first-token-ms 0] [--gap-ms 0]
//     [--clients 1,8,32] [--requests 60,160,256] [--runtime tsx|compiled|tsx,compiled] [--api-root DIR[,DIR]] [--profile DIR] [--targets ragtime,litellm]
//     [--database postgres://postgres@127.0.0.1:5432/ragtime_bench] [--litellm .data/litellm-venv/bin/litellm]
// --upstream llama serves the real model (llama.cpp, SmolLM2 from PyPI) instead and adds inter-token gaps. With the
// real model the targets are interleaved request by request (one client each, the order rotating every round), so a
// change in the shared model server's speed during the run reaches every target alike (--sequential: one target
// after another, as with the fast upstream). Interleaved runs print no CPU per request: a turn's tail (storing,
// settling) runs while the next target's request is measured.
// --profile DIR writes a V8 CPU profile of the API process (with its embedded worker) there on exit.
// --runtime compiled runs the API from dist/ (scripts/build.sh) instead of through tsx. --api-root a,b runs the API
// of two checkouts side by side (before/after a change), each its own series.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Redis } from 'ioredis';
import { createGatewayDependencies } from '../api/server.js';
import { withDefaults } from '../domain/routing/model-registration.js';
import { loadConfig } from '../infra/config.js';
import { migrate } from '../infra/postgres/migrate.js';
import { createPool } from '../infra/postgres/pool.js';
import { createRedis } from '../infra/redis/redis-client.js';
import { PostgresModelRegistry } from '../infra/registry/postgres-model-registry.js';
import { SafetyPolicyStore } from '../infra/postgres/safety-policy-store.js';
import { safetyCategories } from '../domain/safety/safety-types.js';
import { plainCompletions, runLoad, streamedCompletions, webSocketChat, type ChatClient, type LoadResult, type Sample } from './lib/chat-clients.js';
import { startFastUpstream } from './lib/fast-upstream.js';
import { percentile } from './lib/metrics.js';
import { CpuMeter, processTree, startService, stopService, waitFor, type Service } from './lib/process-cpu.js';
import { printTable } from './lib/table.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : args[index + 1] ?? fallback;
};
const upstreamKind = option('upstream', 'fast');
const realModel = upstreamKind === 'llama';
const clientCounts = option('clients', realModel ? '1' : '1,8,32').split(',').map(Number);
const requestCounts = option('requests', realModel ? '40' : '60,160,256').split(',').map(Number);
const runtimes = option('runtime', 'tsx').split(',');
/** Checkouts whose API runs side by side (A/B of a change), each on its own port and task queue. */
const apiRoots = option('api-root', '.').split(',').map((root) => realpathSync(root));
const databaseUrl = option('database', 'postgres://postgres@127.0.0.1:5432/ragtime_bench');
const venvBin = path.resolve('.venv', 'bin');
const model = realModel ? 'smollm2-135m-instruct' : 'bench-chat';
const question = realModel ? 'Explain in three sentences why the sky is blue.' : 'Say hi.';
const maxTokens = Number(option('tokens', realModel ? '48' : '32'));
const interleaved = realModel && !args.includes('--sequential');
const roomy = { requestsPerMinute: 1_000_000, tokensPerMinute: 1_000_000_000, concurrentStreams: 10_000 };
const tier = { org: roomy, user: roomy, monthlyBudgetUsd: 1_000_000 };

interface Target {
  name: string;
  open: () => Promise<ChatClient>;
  meters: CpuMeter[];
}

interface Measured {
  load: LoadResult;
  cpuMs: Record<string, number>;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'ragtime-overhead-'));
  const services: Service[] = [];
  const start = (...parameters: Parameters<typeof startService>) => {
    const service = startService(...parameters);
    services.push(service);
    return service;
  };
  let closeUpstream = async () => undefined as void;
  // The services run in their own process groups: stop them when the bench is interrupted, too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      Promise.all(services.map((service) => stopService(service))).then(() => process.exit(130), () => process.exit(130));
    });
  }
  try {
    // The upstream: the fast protocol-faithful server in this process, or the llama.cpp server.
    let upstreamUrl: string;
    if (realModel) {
      const port = await freePort();
      const server = start('model-server', path.join(venvBin, 'python'), ['infra/model-server/serve.py', '--model', 'smollm2-135m-instruct', '--port', String(port), '--parallel', '4']);
      await waitFor('model server', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 120_000, server);
      upstreamUrl = `http://127.0.0.1:${port}/v1`;
    } else {
      const upstream = await startFastUpstream({ tokens: maxTokens, firstTokenMs: Number(option('first-token-ms', '0')), gapMs: Number(option('gap-ms', '0')) });
      upstreamUrl = upstream.url;
      closeUpstream = upstream.close;
    }

    const [redisPort, temporalPort] = await Promise.all([freePort(), freePort()]);
    const redis = start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    const temporalServer = start('temporal', path.join(venvBin, 'temporal'), ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(temporalPort),
      '--db-filename', path.join(work, 'temporal.db'), '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal', '--log-level', 'warn']);
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    await waitFor('redis', async () => {
      const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    }, 20_000, redis);
    await waitFor('Temporal', async () => {
      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}`, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return true;
    }, 60_000, temporalServer);

    const env: Record<string, string> = {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: 'ragtime:',
      CHAT_TASK_QUEUE: 'chat',
      LLM_BASE_URL: upstreamUrl,
      LLM_MODEL: model,
      MODEL_ENVIRONMENT: 'staging',
      EMBEDDINGS_BASE_URL: upstreamUrl,
      EMBEDDINGS_MODEL: 'bench-embed',
      VECTOR_STORE_DIRECTORY: path.join(work, 'vectors'),
      RESPONSE_CACHE_TTL_SECONDS: '0',
      GATEWAY_TIERS: JSON.stringify({ free: tier, pro: tier, enterprise: tier }),
      MODEL_PRICES: JSON.stringify({ [model]: { inputPerMillionUsd: 0.1, outputPerMillionUsd: 0.2 } }),
      API_EMBEDDED_WORKER: 'true',
      // Every bench client opens its own socket on the one bench key.
      WS_MAX_SOCKETS_PER_KEY: '10000',
      WS_MAX_SOCKETS_PER_ORG: '10000',
    };
    const config = loadConfig(env);
    const pool = createPool(databaseUrl);
    await migrate(pool);
    await new PostgresModelRegistry(pool).register(withDefaults({ model, endpoint: upstreamUrl, environment: 'staging' }));
    const commandRedis = createRedis(redisUrl, config.REDIS_KEY_PREFIX);
    const gateway = createGatewayDependencies(config, { pool, redis: commandRedis });
    const { key } = await benchOrg(gateway, 'bench');
    // Real model: a second org whose output policy allows every category, so a series shows the relay without the
    // output filter's hold-back (a word goes out once complete), which is what the default policy adds to the gaps.
    const unfilteredKey = realModel ? await unfilteredOrgKey(gateway, pool) : undefined;
    commandRedis.disconnect();

    const apis: { label: string; port: number; service: Service }[] = [];
    for (const [index, [root, runtime]] of apiRoots.flatMap((root) => runtimes.map((runtime) => [root, runtime] as const)).entries()) {
      const entry = runtime === 'compiled' ? path.join(root, 'dist/api/server.js') : path.join(root, 'api/server.ts');
      if (!existsSync(entry)) throw new Error(`${entry} is missing${runtime === 'compiled' ? ': bash scripts/build.sh' : ''}`);
      const port = await freePort();
      const names = [...(apiRoots.length > 1 ? [path.basename(root)] : []), ...(runtimes.length > 1 ? [runtime] : [])];
      const label = names.length > 0 ? ` [${names.join(' ')}]` : '';
      // Node refuses --cpu-prof in NODE_OPTIONS: the flags go on the command line (tsx hands them to node).
      const profile = option('profile', '') ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(option('profile', ''))}`] : [];
      const service = start(`api-${index}`, runtime === 'compiled' ? 'node' : path.resolve('node_modules/.bin/tsx'), [...profile, entry],
        { ...env, API_PORT: String(port), CHAT_TASK_QUEUE: `chat-${index}`, REDIS_KEY_PREFIX: `ragtime-${index}:` });
      apis.push({ label, port, service });
    }
    for (const api of apis) await waitFor('Ragtime API', async () => (await fetch(`http://127.0.0.1:${api.port}/readyz`)).ok, 120_000, api.service);
    const litellm = await startLiteLLM(upstreamUrl, start);

    const temporalMeter = new CpuMeter('temporal', () => processTree(temporalServer.child.pid!));
    const redisMeter = new CpuMeter('redis', () => [redis.child.pid!]);
    const postgresMeter = new CpuMeter('postgres', async () => (await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((row) => row.pid));
    const targets: Target[] = [
      { name: 'direct', open: streamedCompletions(upstreamUrl, 'sk-upstream', model, question, maxTokens), meters: [] },
      { name: 'direct non-streamed', open: plainCompletions(upstreamUrl, 'sk-upstream', model, question, maxTokens), meters: [] },
      ...(litellm ? [{ name: 'LiteLLM', open: streamedCompletions(litellm.url, 'sk-bench', model, question, maxTokens), meters: [new CpuMeter('litellm', () => processTree(litellm.service.child.pid!))] }] : []),
      ...apis.flatMap(({ label, port, service }) => {
        const meters = [new CpuMeter('api+worker', () => processTree(service.child.pid!)), temporalMeter, redisMeter, postgresMeter];
        return [
          { name: `Ragtime /v1${label}`, open: streamedCompletions(`http://127.0.0.1:${port}/v1`, key, model, question, maxTokens), meters },
          { name: `Ragtime /v1 non-streamed${label}`, open: plainCompletions(`http://127.0.0.1:${port}/v1`, key, model, question, maxTokens), meters },
          { name: `Ragtime WS${label}`, open: webSocketChat(`ws://127.0.0.1:${port}/v1/chat/ws`, key, question, maxTokens), meters },
          ...(unfilteredKey ? [{ name: `Ragtime WS${label} (output filter off)`, open: webSocketChat(`ws://127.0.0.1:${port}/v1/chat/ws`, unfilteredKey, question, maxTokens), meters }] : []),
        ];
      }),
    ];
    if (!litellm) console.log('LiteLLM: not installed; install with: python3 -m venv .data/litellm-venv && .data/litellm-venv/bin/pip install "litellm[proxy]"');

    const only = option('targets', '');
    if (only) targets.splice(0, targets.length, ...targets.filter((target) => target.name.startsWith('direct') || only.split(',').some((name) => target.name.toLowerCase().includes(name.toLowerCase()))));
    for (const target of targets) await runLoad(target.open, realModel ? 1 : 2, realModel ? 2 : 10); // warm-up: connections, JIT, caches
    const load = loadavg()[0]!.toFixed(2);
    console.log(`\nGateway overhead: ${realModel ? 'llama.cpp SmolLM2-135M' : `fast upstream, ${maxTokens} tokens, first token after ${option('first-token-ms', '0')} ms, gap ${option('gap-ms', '0')} ms`}; Ragtime runtime: ${runtimes.join(' and ')}; load average before: ${load}`);
    for (const [index, clients] of clientCounts.entries()) {
      const total = requestCounts[index] ?? requestCounts.at(-1)!;
      if (interleaved && clients !== 1) throw new Error('interleaved runs use one client per target: --clients 1 (or --sequential)');
      const results: Measured[] = interleaved ? await measureInterleaved(targets, total) : [];
      if (!interleaved) for (const target of targets) results.push(await measure(target, clients, total));
      report(clients, total, targets, results);
    }
    await printHistory(`127.0.0.1:${temporalPort}`, apis.map((api, index) => ({ label: api.label, taskQueue: `chat-${index}` })));
  } finally {
    for (const service of services.reverse()) await stopService(service);
    await closeUpstream();
  }
  process.exit(0);
}

async function measure(target: Target, clients: number, total: number): Promise<Measured> {
  for (const meter of target.meters) await meter.begin();
  const load = await runLoad(target.open, clients, total);
  const cpuMs: Record<string, number> = {};
  for (const meter of target.meters) cpuMs[meter.label] = (await meter.elapsed()) / load.samples.length;
  return { load, cpuMs };
}

/**
 * One client per target; each round asks every target once, starting one target later than the round before, so
 * no target always follows the same one. requests/s is over each target's own busy time.
 */
async function measureInterleaved(targets: Target[], total: number): Promise<Measured[]> {
  const clients = await Promise.all(targets.map((target) => target.open()));
  const samples = targets.map((): Sample[] => []);
  const busyMs = targets.map(() => 0);
  try {
    for (let round = 0; round < total; round += 1) {
      for (let step = 0; step < targets.length; step += 1) {
        const index = (round + step) % targets.length;
        const started = performance.now();
        samples[index]!.push(await clients[index]!.ask());
        busyMs[index]! += performance.now() - started;
      }
    }
  } finally {
    for (const client of clients) client.close();
  }
  return targets.map((_, index) => ({ load: { samples: samples[index]!, seconds: busyMs[index]! / 1000 }, cpuMs: {} }));
}

function report(clients: number, total: number, targets: Target[], results: Measured[]): void {
  const names = targets.map((target) => target.name);
  const litellm = names.indexOf('LiteLLM');
  const ragtime = names.filter((name) => name.startsWith('Ragtime')).map((name) => names.indexOf(name));
  const header = ['metric', ...names, ...(litellm >= 0 ? ragtime.map((index) => `${names[index]} / LiteLLM`) : [])];
  const row = (label: string, value: (result: Measured) => number | undefined) => {
    const values = results.map(value);
    const ratios = litellm >= 0 ? ragtime.map((index) => (values[index] !== undefined && values[litellm] ? `${(values[index]! / values[litellm]!).toFixed(2)}×` : '')) : [];
    return [label, ...values.map((entry) => (entry === undefined ? '' : entry)), ...ratios];
  };
  const p = (pick: (result: Measured) => number[], fraction: number) => (result: Measured) => percentile(pick(result), fraction);
  const ttft = (result: Measured) => result.load.samples.map((sample) => sample.ttftMs);
  const end = (result: Measured) => result.load.samples.map((sample) => sample.endMs);
  const gaps = (result: Measured) => result.load.samples.flatMap((sample) => sample.gapsMs);
  const direct = results[0]!;
  const cpuLabels = [...new Set(results.flatMap((result) => Object.keys(result.cpuMs)))];
  const cpuTotal = (result: Measured) => (Object.keys(result.cpuMs).length ? Object.values(result.cpuMs).reduce((sum, value) => sum + value, 0) : undefined);
  console.log(`\n${clients} client${clients > 1 ? 's' : ''}${interleaved ? ' per target, interleaved request by request' : ''}, ${total} requests per target (ms unless noted)`);
  printTable([
    header,
    row('TTFT p50', p(ttft, 0.5)),
    row('TTFT p95', p(ttft, 0.95)),
    row('TTFT p50 added over direct', (result) => percentile(ttft(result), 0.5) - percentile(ttft(direct), 0.5)),
    row('end to end p50', p(end, 0.5)),
    row('end to end p95', p(end, 0.95)),
    row('end to end p50 added over direct', (result) => percentile(end(result), 0.5) - percentile(end(direct), 0.5)),
    ...(realModel ? [row('inter-token gap p50', p(gaps, 0.5)), row('inter-token gap p99', p(gaps, 0.99)),
      row('gap p99 added over direct', (result) => percentile(gaps(result), 0.99) - percentile(gaps(direct), 0.99))] : []),
    row('tokens per answer (mean)', (result) => result.load.samples.reduce((sum, sample) => sum + sample.tokens, 0) / result.load.samples.length),
    row('requests/s', (result) => result.load.samples.length / result.load.seconds),
    row('CPU ms/request, all processes', cpuTotal),
    ...cpuLabels.map((label) => row(`  CPU ms/request ${label}`, (result) => result.cpuMs[label])),
  ]);
}

type Gateway = ReturnType<typeof createGatewayDependencies>;

/** A fresh enterprise org with one user and its API key. */
async function benchOrg(gateway: Gateway, prefix: string): Promise<{ orgId: string; key: string }> {
  const orgId = `${prefix}-${randomUUID().slice(0, 6)}`;
  await gateway.identities.createOrg('bench', { id: orgId, name: orgId, tier: 'enterprise' });
  await gateway.identities.createUser('bench', { orgId, id: 'bench' });
  const { key } = await gateway.identities.createKey('bench', { orgId, userId: 'bench' });
  return { orgId, key };
}

async function unfilteredOrgKey(gateway: Gateway, pool: ReturnType<typeof createPool>): Promise<string> {
  const { orgId, key } = await benchOrg(gateway, 'bench-raw');
  const allowAll = Object.fromEntries(safetyCategories.map((category) => [category, { action: 'allow' }]));
  await new SafetyPolicyStore(pool).setOverrides(orgId, { output: allowAll });
  return key;
}

async function startLiteLLM(upstreamUrl: string, start: typeof startService): Promise<{ url: string; service: Service } | undefined> {
  const binary = path.resolve(option('litellm', '.data/litellm-venv/bin/litellm'));
  if (!existsSync(binary)) return undefined;
  const directory = mkdtempSync(path.join(tmpdir(), 'litellm-overhead-'));
  const configFile = path.join(directory, 'config.yaml');
  writeFileSync(configFile, [
    'model_list:',
    `  - model_name: ${model}`,
    '    litellm_params:',
    `      model: openai/${model}`,
    `      api_base: ${upstreamUrl}`,
    '      api_key: sk-upstream',
    'general_settings:',
    '  master_key: sk-bench',
  ].join('\n'));
  const port = await freePort();
  const service = start('litellm', binary, ['--config', configFile, '--port', String(port), '--host', '127.0.0.1', '--num_workers', '1'], { LITELLM_LOG: 'ERROR' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('LiteLLM', async () => (await fetch(`${url}/health/liveliness`)).ok, 180_000, service);
  return { url: `${url}/v1`, service };
}

/**
 * What one chat turn costs Temporal, for each API series (its own task queue) and each kind of turn (/v1 is
 * stateless, the WebSocket chat a stored conversation): the median and fewest history events over up to 30
 * finished turns (a workflow task that timed out under load adds events), and the fewest by type.
 */
async function printHistory(address: string, series: { label: string; taskQueue: string }[]): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    for (const { label, taskQueue } of series) {
      const kinds = new Map<string, { sizes: number[]; fewest: Map<string, number> }>();
      let listed = 0;
      for await (const execution of client.workflow.list({ query: `WorkflowType = 'chatTurnWorkflow' AND ExecutionStatus = 'Completed' AND TaskQueue = '${taskQueue}'` })) {
        if (++listed > 30) break;
        const history = await client.workflow.getHandle(execution.workflowId).fetchHistory();
        const events = history.events ?? [];
        const started = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
        const input = started ? JSON.parse(Buffer.from(started.data ?? []).toString()) as { history?: unknown } : {};
        const kind = input.history !== undefined ? '/v1 (stateless)' : 'WS (conversation)';
        const entry = kinds.get(kind) ?? { sizes: [], fewest: new Map<string, number>() };
        kinds.set(kind, entry);
        if (entry.sizes.length === 0 || events.length < Math.min(...entry.sizes)) {
          entry.fewest = new Map();
          for (const event of events) {
            const type = proto.temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType);
            const name = type.replace(/^EVENT_TYPE_/, '').toLowerCase();
            entry.fewest.set(name, (entry.fewest.get(name) ?? 0) + 1);
          }
        }
        entry.sizes.push(events.length);
      }
      for (const [kind, { sizes, fewest }] of kinds) {
        console.log(`\nHistory of a chat turn${label}, ${kind}: median ${percentile(sizes, 0.5)}, fewest ${Math.min(...sizes)} events (${sizes.length} turns)`);
        console.log([...fewest].map(([name, count]) => `${name} ${count}`).join(' · '));
      }
    }
  } finally {
    await connection.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
