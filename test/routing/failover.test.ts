// Kill the model server mid-answer: the answer completes on the fallback endpoint with no lost or repeated
// text, after a model.failover event; usage is charged per endpoint. Then: an endpoint that keeps failing
// opens its breaker on one worker, and a second worker routes around it without trying it.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDefaults } from '../../domain/routing/model-registration.js';
import type { ChatTurnResult, GenerationResult } from '../../domain/chat/chat-request.js';
import type { ChatEvent } from '../../domain/chat/events.js';
import { freePort } from '../support/free-port.js';
import { projectRoot, signalGroup, startProcess, stopProcess, waitUntil } from '../support/processes.js';
import { services } from '../support/services.js';
import { activityResults, routingHarness, startConfiguredWorker, streamedAnswer, waitForEvents, type RoutingHarness } from '../support/routing-stack.js';

const longQuestion = 'Write a very long story about a dragon who learns to sail. Make it at least 1500 words.';

function seqsAreContiguous(events: ChatEvent[]): boolean {
  return events.every((event, index) => event.seq === index + 1);
}

describe('mid-stream failover', () => {
  let harness: RoutingHarness;
  let primary: ChildProcess | undefined;
  let worker: { stop(): Promise<void> } | undefined;
  const taskQueue = `routing-failover-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await routingHarness({ MODEL_ENVIRONMENT: 'production', CHAT_TASK_QUEUE: taskQueue, LLM_STALL_TIMEOUT_MS: '5000' });
    const port = await freePort();
    primary = startProcess('failover-primary-model', path.join(projectRoot, '.venv', 'bin', 'python'), ['infra/model-server/serve.py', '--model', 'smollm2-135m-instruct', '--port', String(port), '--parallel', '2', '--ctx', '4096']);
    await waitUntil('primary model server', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 90_000, primary);
    await harness.registry.register(withDefaults({ model: 'smollm2-primary', endpoint: `http://127.0.0.1:${port}/v1`, environment: 'production', fallbacks: ['smollm2-fallback'], quality: 2 }));
    await harness.registry.register(withDefaults({ model: 'smollm2-fallback', endpoint: services().modelBaseUrl, environment: 'production', quality: 1 }));
    worker = await startConfiguredWorker(harness.config);
  });
  afterAll(async () => {
    await worker?.stop();
    await stopProcess(primary, 'SIGKILL');
    await harness?.close();
  });

  it('completes the answer on the fallback when the serving model server is killed', { timeout: 180_000 }, async () => {
    const workflowId = `chat-failover-${randomUUID()}`;
    const handle = await harness.temporal.workflow.start('chatTurnWorkflow', {
      taskQueue, workflowId,
      args: [{ tenantId: 'failover', requestId: workflowId, conversationId: workflowId, question: longQuestion, model: 'smollm2-primary', maxTokens: 300 }],
    });
    const before = await waitForEvents(harness.events, workflowId, (events) => events.filter((event) => event.type === 'answer.delta').length >= 10);
    signalGroup(primary!, 'SIGKILL');
    const emittedAtKill = streamedAnswer(before);

    const result = (await handle.result()) as ChatTurnResult;
    const events = await harness.events.range(workflowId, 0);
    expect(seqsAreContiguous(events)).toBe(true);
    expect(events.map((event) => event.type).filter((type) => type !== 'answer.delta')).toEqual(['plan', 'model.selected', 'model.failover', 'answer.done']);
    expect(events.find((event) => event.type === 'model.selected')!.data).toMatchObject({ model: 'smollm2-primary', fallbacks: ['smollm2-fallback'] });
    const failover = events.find((event) => event.type === 'model.failover')!;
    expect(failover.data).toMatchObject({ from: 'smollm2-primary', to: 'smollm2-fallback' });
    expect(failover.data.offset as number).toBeGreaterThanOrEqual(emittedAtKill.length);

    const answer = streamedAnswer(events); // throws on any gap or overlap
    expect(answer.startsWith(emittedAtKill)).toBe(true);
    expect(answer.length).toBeGreaterThan(failover.data.offset as number);
    expect(result.answer).toBe(answer);
    expect(result.model).toBe('smollm2-fallback');

    const generation = (await activityResults(harness.temporal, workflowId)).find((payload) => Array.isArray(payload.usageByEndpoint)) as unknown as GenerationResult;
    expect(generation.usageByEndpoint!.map((usage) => usage.model)).toEqual(['smollm2-primary', 'smollm2-fallback']);
    expect(generation.usageByEndpoint![0]!.completionTokens).toBeGreaterThanOrEqual(10);
    expect(generation.usageByEndpoint![1]!.completionTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBe(generation.usageByEndpoint![0]!.completionTokens + generation.usageByEndpoint![1]!.completionTokens);
    const description = await handle.describe();
    expect(description.searchAttributes.RagtimeModel).toEqual(['smollm2-fallback']);
  });
});

describe('a failing endpoint across two workers', () => {
  let harness: RoutingHarness;
  const workers: { stop(): Promise<void> }[] = [];
  const firstQueue = `routing-breaker-a-${randomUUID().slice(0, 8)}`;
  const secondQueue = `routing-breaker-b-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await routingHarness({ MODEL_ENVIRONMENT: 'production', BREAKER_FAILURE_THRESHOLD: '2', BREAKER_OPEN_MS: '60000' });
    const deadEndpoint = `http://127.0.0.1:${await freePort()}/v1`;
    await harness.registry.register(withDefaults({ model: 'dead-primary', endpoint: deadEndpoint, environment: 'production', fallbacks: ['smollm2-fallback'], quality: 2 }));
    await harness.registry.register(withDefaults({ model: 'smollm2-fallback', endpoint: services().modelBaseUrl, environment: 'production', quality: 1 }));
    workers.push(await startConfiguredWorker({ ...harness.config, CHAT_TASK_QUEUE: firstQueue }));
    workers.push(await startConfiguredWorker({ ...harness.config, CHAT_TASK_QUEUE: secondQueue }));
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await harness?.close();
  });

  async function ask(taskQueue: string): Promise<ChatEvent[]> {
    const workflowId = `chat-breaker-${randomUUID()}`;
    // A complex question: the router prefers the higher-quality (dead) model while its circuit is closed.
    await harness.temporal.workflow.execute('chatTurnWorkflow', {
      taskQueue, workflowId,
      args: [{ tenantId: 'breaker', requestId: workflowId, conversationId: workflowId, question: 'Explain step by step why the sea is salty, and compare it with lakes.', maxTokens: 24 }],
    });
    return harness.events.range(workflowId, 0);
  }

  it('opens after the threshold on the first worker; the second worker skips the endpoint', { timeout: 180_000 }, async () => {
    for (let request = 0; request < 2; request += 1) {
      const events = await ask(firstQueue);
      expect(events.find((event) => event.type === 'model.selected')!.data.model).toBe('dead-primary');
      expect(events.find((event) => event.type === 'model.failover')!.data).toMatchObject({ from: 'dead-primary', to: 'smollm2-fallback' });
      expect(events.at(-1)!.type).toBe('answer.done');
    }
    const events = await ask(secondQueue);
    expect(events.find((event) => event.type === 'model.selected')!.data.model).toBe('smollm2-fallback');
    expect(events.some((event) => event.type === 'model.failover')).toBe(false);
    expect(events.at(-1)!.type).toBe('answer.done');
  });
});
