// Multi-model generation on real local model answers: the fusion child workflow asks several models in
// parallel, fuses by strategy, records each answer and the decision, and streams the fused answer.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDefaults } from '../../domain/routing/model-registration.js';
import type { ChatTurnResult, GenerationResult } from '../../domain/chat/chat-request.js';
import type { FusionStrategy } from '../../domain/routing/fusion.js';
import { services } from '../support/services.js';
import { activityResults, routingHarness, startConfiguredWorker, streamedAnswer, type RoutingHarness } from '../support/routing-stack.js';

describe('fusion workflow', () => {
  let harness: RoutingHarness;
  let worker: { stop(): Promise<void> } | undefined;
  const taskQueue = `routing-fusion-${randomUUID().slice(0, 8)}`;
  const models = ['local-a', 'local-b', 'local-c'];

  beforeAll(async () => {
    harness = await routingHarness({ MODEL_ENVIRONMENT: 'production', CHAT_TASK_QUEUE: taskQueue });
    for (const [index, model] of models.entries()) {
      await harness.registry.register(withDefaults({ model, endpoint: services().modelBaseUrl, environment: 'production', weight: index + 1, outputPrice: 1e-6 * (index + 1) }));
    }
    worker = await startConfiguredWorker(harness.config);
  });
  afterAll(async () => {
    await worker?.stop();
    await harness?.close();
  });

  async function fuse(strategy: FusionStrategy, requested?: string[]) {
    const workflowId = `chat-fusion-${strategy}-${randomUUID()}`;
    const result = (await harness.temporal.workflow.execute('chatTurnWorkflow', {
      taskQueue, workflowId,
      args: [{ tenantId: 'fusion', requestId: workflowId, conversationId: workflowId, question: 'Name one planet of the solar system.', maxTokens: 32, fusion: { strategy, ...(requested ? { models: requested } : {}) } }],
    })) as ChatTurnResult;
    const events = await harness.events.range(workflowId, 0);
    const child = harness.temporal.workflow.getHandle(`${workflowId}-fusion`);
    const childResult = (await child.result()) as GenerationResult;
    const candidates = (await activityResults(harness.temporal, `${workflowId}-fusion`)).filter((payload) => typeof payload.latencyMs === 'number');
    const memo = (await child.describe()).memo as { fusion: { strategy: string; confidence: number } };
    return { result, events, childResult, candidates, memo };
  }

  it.each(['voting', 'ranking', 'merging'] as const)('%s: every model answers, the decision is recorded and its text streamed', { timeout: 120_000 }, async (strategy) => {
    const { result, events, childResult, candidates, memo } = await fuse(strategy);
    expect(candidates.map((candidate) => candidate.model).sort()).toEqual(models);
    for (const candidate of candidates) expect(String(candidate.text).length).toBeGreaterThan(0);
    const decision = childResult.fusion!;
    expect(decision.strategy).toBe(strategy);
    expect(decision.confidence).toBeGreaterThan(0);
    expect(decision.confidence).toBeLessThanOrEqual(1);
    expect(memo.fusion).toMatchObject({ strategy, confidence: decision.confidence });
    expect(events.find((event) => event.type === 'model.selected')!.data.fusion).toEqual(models);
    expect(streamedAnswer(events)).toBe(result.answer);
    expect(result.answer).toBe(childResult.text);
    expect(childResult.usageByEndpoint).toHaveLength(3);
    if (strategy === 'merging') {
      for (const statement of decision.attribution!) expect(result.answer).toContain(statement.sentence);
      expect(decision.attribution!.flatMap((statement) => statement.models).sort()).toEqual(expect.arrayContaining(models));
    } else {
      expect(candidates.find((candidate) => candidate.model === decision.winner)!.text).toBe(decision.text);
    }
    if (strategy === 'ranking') expect(decision.scores).toHaveLength(3);
  });

  it('first: answers with the fastest model and cancels the others; only requested models are asked', { timeout: 120_000 }, async () => {
    const { result, childResult, candidates, memo } = await fuse('first', ['local-a', 'local-c']);
    expect(childResult.fusion!.strategy).toBe('first');
    const winner = childResult.fusion!.winner!;
    expect(['local-a', 'local-c']).toContain(winner);
    // The first answer to complete wins and is the only one used. A loser is cancelled, unless it finished
    // before the cancellation reached it (both ask the same local server): then it completed later.
    expect(candidates[0]!.model).toBe(winner);
    expect(candidates.length).toBeLessThanOrEqual(2);
    expect((memo.fusion as unknown as { answered: string[] }).answered).toEqual([winner]);
    expect(result.model).toBe(winner);
  });
});
