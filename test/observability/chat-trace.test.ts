// One chat turn is one trace: the API's workflow start, the workflow run, each activity and the model call
// share the trace id that answer.done reports. The API and a chat worker run in this process with an
// in-memory span exporter behind the same tracing setup the processes use for OTLP.
import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../infra/tracing/tracing.js';
import { ChatSocket } from '../support/chat-socket.js';
import { waitUntil } from '../support/processes.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';

describe('chat tracing', () => {
  const taskQueue = uniqueTaskQueue('trace');
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let worker: RunningWorker;
  let api: TestApi;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'ragtime-test', spanProcessor: new SimpleSpanProcessor(exporter) })!;
    worker = await startWorker(taskQueue, {}, { tracing });
    api = await startApi(taskQueue, {}, { tracing: true });
  }, 180_000);
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await tracing?.shutdown();
  });

  it('follows one request from the API through the workflow and its activities to the model call', async () => {
    const socket = await ChatSocket.open(api.wsUrl, 'tracing');
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: 'Say hello.', maxTokens: 16 });
    const done = (await socket.waitForEnd(requestId)).at(-1)!;
    await socket.close();
    expect(done.type).toBe('answer.done');
    const traceId = done.data.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    let spans: ReadableSpan[] = [];
    // Workflow spans reach the exporter through a sink once the run's last activation completes.
    await waitUntil('workflow span exported', async () => {
      spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      return spans.some((span) => span.name === 'RunWorkflow:chatTurnWorkflow');
    }, 30_000);
    const names = spans.map((span) => span.name);
    expect(names.some((name) => /^(StartWorkflow|SignalWithStartWorkflow):chatTurnWorkflow$/.test(name)), names.join(', ')).toBe(true);
    for (const step of ['plan', 'route', 'generate', 'postSafety', 'persist']) {
      expect(names, step).toContain(`RunActivity:${step}`);
    }
    const model = spans.find((span) => span.name.startsWith('chat '));
    expect(model, names.join(', ')).toBeDefined();
    const generate = spans.find((span) => span.name === 'RunActivity:generate')!;
    expect(model!.parentSpanId).toBe(generate.spanContext().spanId);
    expect(model!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);

    // One tree: every span but the API's root has its parent in the same trace.
    const ids = new Set(spans.map((span) => span.spanContext().spanId));
    const roots = spans.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
    expect(roots.map((span) => span.name)).toEqual([expect.stringMatching(/Workflow:chatTurnWorkflow$/)]);

    // The operator's console: the run's memo carries its tokens and latency.
    const { memo } = await api.temporal.workflow.getHandle(done.data.workflowId as string).describe();
    expect(memo).toMatchObject({ model: done.data.model, completionTokens: (done.data.usage as { completionTokens: number }).completionTokens });
    expect(memo!.latencyMs).toBeGreaterThan(0);
  });
});
