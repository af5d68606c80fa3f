// The end of a chat turn (since the retired 'lean-turn' patch): the output check and persist run as local activities in
// one workflow task. A chat completion (it sends its own history; nothing reads its stored turn) is told the answer
// is done before the turn is stored, and a worker killed while storing it still leaves it stored and charged
// exactly once; a conversation's turn is told only once stored (its next turn reads it). Postgres is held with a table lock so the persist step
// is caught mid-write, deterministically.
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { startChatTurn } from '../../clients/chat-turns.js';
import type { ChatTurnResult, HistoryMessage } from '../../domain/chat/chat-request.js';
import { withDefaults } from '../../domain/routing/model-registration.js';
import { UsageLedger } from '../../infra/gateway/usage-ledger.js';
import { signalGroup, startProcess, stopProcess, waitUntil } from '../support/processes.js';
import { routingHarness, startConfiguredWorker, streamedAnswer, waitForEvents, type RoutingHarness } from '../support/routing-stack.js';
import { services, testConfig, testEnvironment } from '../support/services.js';
import { uniqueTaskQueue, type RunningWorker } from '../support/stack.js';
import { settledRow } from '../gateway/gateway-helpers.js';

const price = { inputPerMillionUsd: 100, outputPerMillionUsd: 100 };
const environment = 'staging';

describe('the end of a chat turn', () => {
  const taskQueue = uniqueTaskQueue('turn-tail');
  let harness: RoutingHarness;
  let ledger: UsageLedger;
  let worker: RunningWorker | undefined;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    harness = await routingHarness({ MODEL_ENVIRONMENT: environment, CHAT_TASK_QUEUE: taskQueue, MODEL_PRICES: JSON.stringify({ 'tt-model': price }), LLM_STALL_TIMEOUT_MS: '120000', LLM_FIRST_TOKEN_TIMEOUT_MS: '120000' });
    ledger = new UsageLedger(harness.pool);
    await harness.registry.register(withDefaults({ model: 'tt-model', endpoint: services().modelBaseUrl, environment, quality: 3 }));
    worker = await startConfiguredWorker(harness.config);
  });
  afterAll(async () => {
    await stopProcess(child, 'SIGKILL');
    await worker?.stop();
    await harness?.close();
  });

  /** `history` as a chat completion sends it, which also marks the turn as one nothing reads once stored. */
  async function start(queue: string, org: string, history?: HistoryMessage[]): Promise<{ workflowId: string; requestId: string }> {
    const requestId = randomUUID();
    const question = 'Name three colors.';
    const estimatedPromptTokens = Math.ceil(question.length / 4);
    expect(await ledger.reserve({ orgId: org, requestId, userId: 'u1', endpoint: 'chat.completions', model: 'tt-model', estimatedMicros: (estimatedPromptTokens + 16) * 100, budgetMicros: null })).toBe('reserved');
    const workflowId = await startChatTurn(harness.temporal, { taskQueue: queue }, {
      tenantId: org, userId: 'u1', tier: 'enterprise', requestId, conversationId: requestId, question, model: 'tt-model', maxTokens: 16,
      ...(history ? { history, storeAfterAnswer: true } : {}),
      billing: { reservationId: requestId, userId: 'u1', tier: 'enterprise', estimatedPromptTokens, estimatedMicros: (estimatedPromptTokens + 16) * 100 },
    });
    return { workflowId, requestId };
  }

  /** Holds every insert into `turns` until released: persist reaches its turn row and waits there. */
  async function lockTurns(): Promise<{ release: () => Promise<void> }> {
    const client = await harness.pool.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE turns IN EXCLUSIVE MODE');
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        await client.query('COMMIT');
        client.release();
      },
    };
  }

  /** Some session of this database waits for the lock on `turns`: a persist step is mid-write. */
  async function persistWaiting(pool: pg.Pool): Promise<void> {
    await waitUntil('a persist step waiting on the turns table', async () => {
      const { rows } = await pool.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
         WHERE c.relname = 'turns' AND NOT l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return rows[0]!.waiting > 0;
    }, 120_000);
  }

  async function storedTurns(org: string): Promise<number> {
    return (await harness.pool.query('SELECT 1 FROM turns WHERE tenant_id = $1', [org])).rowCount ?? 0;
  }

  it('records a stateless turn with generate as its only server-side activity and one search-attribute upsert of its own', { timeout: 120_000 }, async () => {
    const org = `tt-shape-${randomUUID().slice(0, 6)}`;
    const { workflowId, requestId } = await start(taskQueue, org, []);
    const result = await harness.temporal.workflow.getHandle(workflowId).result() as ChatTurnResult;
    expect(result.outcome).toBe('completed');
    const events = (await harness.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = events.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled).toEqual(['generate']);
    const localSteps = events.flatMap((event) => {
      const data = event.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
      return data ? [(JSON.parse(Buffer.from(data).toString()) as { activity_type: string }).activity_type] : [];
    });
    expect(localSteps).toEqual(expect.arrayContaining(['plan', 'preSafety', 'route', 'postSafety', 'persist']));
    // Only the final model + outcome upsert: no patch is left on the turn, so no marker and no TemporalChangeVersion.
    expect(events.filter((event) => event.upsertWorkflowSearchAttributesEventAttributes)).toHaveLength(1);
    expect(localSteps).toHaveLength(events.filter((event) => event.markerRecordedEventAttributes).length);
    console.log(`stateless turn: ${events.length} history events`);
    const row = await settledRow(harness.pool, org, requestId);
    expect(row).toMatchObject({ outcome: 'completed', usage_source: 'model', prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens });
    expect(await storedTurns(org)).toBe(1);
  });

  it('tells a stateless client its answer is done before the turn is stored; a worker killed mid-persist still stores and charges it once', { timeout: 240_000 }, async () => {
    const org = `tt-crash-${randomUUID().slice(0, 6)}`;
    const crashQueue = uniqueTaskQueue('turn-tail-crash');
    const crashWorkerEnv = testEnvironment({ CHAT_TASK_QUEUE: crashQueue, MODEL_ENVIRONMENT: environment, MODEL_PRICES: JSON.stringify({ 'tt-model': price }), REDIS_KEY_PREFIX: harness.config.REDIS_KEY_PREFIX });
    child = startProcess('turn-tail-crash-worker', 'tsx', ['workers/chat-worker.ts'], crashWorkerEnv);
    const lock = await lockTurns();
    let replacement: RunningWorker | undefined;
    try {
      const { workflowId, requestId } = await start(crashQueue, org, [{ role: 'user', content: 'Hello.' }, { role: 'assistant', content: 'Hi.' }]);
      const told = await waitForEvents(harness.events, workflowId, (events) => events.some((event) => event.type === 'answer.done'), 120_000);
      await persistWaiting(harness.pool);
      expect(await storedTurns(org), 'answer.done went out while the turn was not stored yet').toBe(0);

      signalGroup(child, 'SIGKILL');
      await lock.release();
      replacement = await startConfiguredWorker(testConfig({ ...crashWorkerEnv }));
      const result = await harness.temporal.workflow.getHandle(workflowId).result() as ChatTurnResult;
      expect(result.outcome).toBe('completed');

      const events = await harness.events.range(workflowId, 0);
      expect(events.filter((event) => event.type === 'answer.done')).toHaveLength(1);
      expect(streamedAnswer(events)).toBe(streamedAnswer(told));
      expect(await storedTurns(org)).toBe(1);
      const row = await settledRow(harness.pool, org, requestId);
      expect(row).toMatchObject({ outcome: 'completed', usage_source: 'model', completion_tokens: result.usage.completionTokens });
      expect(Number(row.cost_micros)).toBe((row.prompt_tokens + row.completion_tokens) * 100);
      expect(await ledger.budgetPeriod(org)).toMatchObject({ spentMicros: Number(row.cost_micros), reservedMicros: 0 });
    } finally {
      await lock.release();
      await replacement?.stop();
    }
  });

  it('tells a conversation turn its answer is done only once the turn is stored', { timeout: 120_000 }, async () => {
    const org = `tt-conv-${randomUUID().slice(0, 6)}`;
    const lock = await lockTurns();
    try {
      const { workflowId } = await start(taskQueue, org);
      await persistWaiting(harness.pool);
      const pending = await harness.events.range(workflowId, 0);
      expect(pending.some((event) => event.type === 'answer.delta')).toBe(true);
      expect(pending.some((event) => event.type === 'answer.done')).toBe(false);
      await lock.release();
      const result = await harness.temporal.workflow.getHandle(workflowId).result() as ChatTurnResult;
      expect(result.outcome).toBe('completed');
      expect((await harness.events.range(workflowId, 0)).filter((event) => event.type === 'answer.done')).toHaveLength(1);
      expect(await storedTurns(org)).toBe(1);
    } finally {
      await lock.release();
    }
  });
});
