// Recovery from a chat worker killed mid-answer, against the local stack (./ragtime up: Temporal, Postgres,
// Redis, the model server).
//   npx tsx bench/worker-crash.ts [--runs 5] [--model NAME]
// Each run starts two chat worker processes on a task queue of their own, starts a turn that answers at
// length, waits for 8 streamed deltas, and SIGKILLs the process group of the worker running `generate` (found
// from the pending activity's worker identity). The other worker is already polling, so what is measured is
// the recovery itself, not a process start: when the server started the retry (its own timestamp) and when
// the first resumed delta reached Redis, both from the kill, next to the generate heartbeat timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { startChatTurn } from '../clients/chat-turns.js';
import { loadConfig } from '../infra/config.js';
import { EventStream } from '../infra/redis/event-stream.js';
import { createRedis } from '../infra/redis/redis-client.js';
import { generateOptions } from '../workflows/activity-options.js';
import { mean, percentile } from './lib/metrics.js';
import { printTable } from './lib/table.js';

const root = resolve(import.meta.dirname, '..');
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1] ?? fallback;
};
const runs = Number(argument('runs', '5'));
const config = loadConfig();
const model = argument('model', config.LLM_MODEL);
const question = 'Write a very long story about a dragon who learns to sail. Make it at least 1500 words.';
const deltasBeforeKill = 8;

interface Recovery { retryStartedMs: number; firstResumedDeltaMs: number; lastFailure: string }

async function main(): Promise<void> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  const events = new EventStream(redis, 600);
  const recoveries: Recovery[] = [];
  try {
    for (let run = 1, tries = 0; run <= runs && tries < runs * 3; tries += 1) {
      const recovery = await crashOnce(temporal, events);
      if (!recovery) {
        console.log('the answer ended before the kill: run not counted');
        continue;
      }
      console.log(`run ${run}: retry started ${recovery.retryStartedMs} ms, first resumed delta ${recovery.firstResumedDeltaMs} ms after the kill (attempt 1: ${recovery.lastFailure})`);
      recoveries.push(recovery);
      run += 1;
    }
  } finally {
    redis.disconnect();
    await connection.close();
  }
  const heartbeatMs = Number(/^(\d+) seconds?$/.exec(String(generateOptions.heartbeatTimeout))![1]) * 1000;
  const row = (name: string, values: number[]) => [name, Math.round(percentile(values, 0.5)), Math.round(mean(values)), Math.round(Math.max(...values)), (percentile(values, 0.5) / heartbeatMs).toFixed(2)];
  console.log(`\nWorker killed mid-answer (${runs} runs, model ${model}; generate heartbeat timeout ${heartbeatMs} ms, retry after ${String(generateOptions.retry?.initialInterval)})`);
  printTable([
    ['from the kill to', 'p50 ms', 'mean ms', 'max ms', 'p50 / heartbeat timeout'],
    row('the retry of generate started', recoveries.map((entry) => entry.retryStartedMs)),
    row('the first resumed delta in Redis', recoveries.map((entry) => entry.firstResumedDeltaMs)),
  ]);
}

async function crashOnce(temporal: Client, events: EventStream): Promise<Recovery | undefined> {
  const taskQueue = `bench-crash-${randomUUID().slice(0, 8)}`;
  const workers = [startWorker(taskQueue), startWorker(taskQueue)];
  try {
    await waitFor('two workers polling', async () => {
      const described = await temporal.workflowService.describeTaskQueue({
        namespace: config.TEMPORAL_NAMESPACE, taskQueue: { name: taskQueue }, taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      }).catch(() => undefined);
      return (described?.pollers?.length ?? 0) >= 2 ? true : undefined;
    }, 60_000);
    const requestId = randomUUID();
    const workflowId = await startChatTurn(temporal, { taskQueue }, {
      tenantId: 'bench-crash', userId: 'bench', tier: 'enterprise', requestId, conversationId: requestId, question, model, maxTokens: 400,
    });
    const before = await waitFor('the first deltas', async () => {
      const seen = await events.range(workflowId, 0);
      return seen.filter((event) => event.type === 'answer.delta').length >= deltasBeforeKill ? seen : undefined;
    }, 300_000);
    const pending = await generatePending(temporal, workflowId).catch(() => undefined);
    if (!pending) return undefined;
    const victimPid = Number(/^(\d+)@/.exec(pending.lastWorkerIdentity ?? '')?.[1]);
    const victim = workers.find((worker) => processGroup(victimPid) === worker.pid);
    if (!victim) throw new Error(`no started worker runs generate (identity ${pending.lastWorkerIdentity})`);
    killGroup(victim);
    const killedAt = Date.now();
    const lastSeq = before.at(-1)!.seq;
    const retry = await waitFor('the retry of generate', async () => {
      const activity = await generatePending(temporal, workflowId).catch(() => undefined);
      return activity && (activity.attempt ?? 0) >= 2 && activity.lastStartedTime ? activity : undefined;
    }, 120_000);
    await waitFor('a resumed delta', async () => (await events.range(workflowId, lastSeq)).some((event) => event.type === 'answer.delta') || undefined, 120_000);
    const firstResumedDeltaMs = Date.now() - killedAt;
    await temporal.workflow.getHandle(workflowId).result();
    const started = retry.lastStartedTime!;
    return {
      retryStartedMs: Number(started.seconds) * 1000 + Math.round((started.nanos ?? 0) / 1e6) - killedAt,
      firstResumedDeltaMs,
      lastFailure: retry.lastFailure?.message ?? 'unknown',
    };
  } finally {
    for (const worker of workers) killGroup(worker);
  }
}

function startWorker(taskQueue: string): ChildProcess {
  return spawn(resolve(root, 'node_modules/.bin/tsx'), ['workers/chat-worker.ts'], {
    cwd: root, env: { ...process.env, CHAT_TASK_QUEUE: taskQueue }, stdio: 'ignore', detached: true,
  });
}

function killGroup(worker: ChildProcess): void {
  try {
    process.kill(-worker.pid!, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function generatePending(temporal: Client, workflowId: string) {
  const pending = (await temporal.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? [];
  const generate = pending.find((activity) => activity.activityType?.name === 'generate');
  if (!generate) throw new Error(`${workflowId}: no pending generate`);
  return generate;
}

/** The process group of a pid (tsx runs the worker as a child of the process it was started as). */
function processGroup(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[2]);
  } catch {
    return undefined;
  }
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

await main();
