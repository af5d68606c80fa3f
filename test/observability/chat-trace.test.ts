// One chat request is one trace whose single root is the API's span for it: on the WebSocket the `chat`
// frame (chat.request), over HTTP the completion (chat.completions). Under it the workflow start, the run,
// each activity and the model call share the trace id that answer.done reports and the API's log line for
// the request carries. The API and a chat worker run in this process with an in-memory span exporter
// behind the same tracing setup the processes use for OTLP.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../infra/tracing/tracing.js';
import { ChatSocket } from '../support/chat-socket.js';
import { apiKeyFor } from '../support/identities.js';
import { waitUntil } from '../support/processes.js';
import { startApi, startWorker, uniqueTaskQueue, type RunningWorker, type TestApi } from '../support/stack.js';

const tenantId = 'tracing';
const question = 'Say hello to the lighthouse keeper.';

describe('chat tracing', () => {
  const taskQueue = uniqueTaskQueue('trace');
  const exporter = new InMemorySpanExporter();
  const logLines: Record<string, unknown>[] = [];
  let tracing: Tracing;
  let worker: RunningWorker;
  let api: TestApi;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'ragtime-test', spanProcessor: new SimpleSpanProcessor(exporter) })!;
    worker = await startWorker(taskQueue, {}, { tracing });
    const logDestination = new PassThrough();
    let pending = '';
    logDestination.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines.filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
    });
    api = await startApi(taskQueue, {}, { tracing: true, logLevel: 'info', logDestination });
  }, 180_000);
  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await tracing?.shutdown();
  });

  /** The finished spans of one trace, once `ready` holds for them (workflow spans come through a sink). */
  async function traceOf(traceId: string, ready: (names: string[]) => boolean): Promise<ReadableSpan[]> {
    let spans: ReadableSpan[] = [];
    await waitUntil('spans of the trace exported', async () => {
      spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      return ready(spans.map((span) => span.name));
    }, 30_000);
    return spans;
  }

  /** The workflow start, the run, every step and the model call (under generate) are in the trace. */
  function expectChatTurn(spans: ReadableSpan[], root: ReadableSpan): void {
    const names = spans.map((span) => span.name);
    const start = spans.find((span) => span.name === 'StartWorkflow:chatTurnWorkflow');
    expect(start, names.join(', ')).toBeDefined();
    expect(start!.parentSpanId).toBe(root.spanContext().spanId);
    expect(names).toContain('RunWorkflow:chatTurnWorkflow');
    for (const step of ['plan', 'route', 'generate', 'postSafety', 'persist']) {
      expect(names, step).toContain(`RunActivity:${step}`);
    }
    const model = spans.find((span) => span.name.startsWith('chat '));
    expect(model, names.join(', ')).toBeDefined();
    const generate = spans.find((span) => span.name === 'RunActivity:generate')!;
    expect(model!.parentSpanId).toBe(generate.spanContext().spanId);
    expect(model!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);

    // One tree: every span but the root has its parent in the same trace.
    const ids = new Set(spans.map((span) => span.spanContext().spanId));
    const roots = spans.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
    expect(roots.map((span) => span.name)).toEqual([root.name]);
    // Ids only: the question is in no span's attributes.
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain('lighthouse');
  }

  it('starts the trace at the WebSocket chat frame and follows it through the workflow and its activities to the model call', async () => {
    const socket = await ChatSocket.open(api.wsUrl, tenantId);
    const requestId = randomUUID();
    socket.send({ type: 'chat', requestId, message: question, maxTokens: 16 });
    const done = (await socket.waitForEnd(requestId)).at(-1)!;
    await socket.close();
    expect(done.type).toBe('answer.done');
    const traceId = done.data.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const spans = await traceOf(traceId, (names) => names.includes('RunWorkflow:chatTurnWorkflow') && names.includes('chat.request'));
    const root = spans.find((span) => span.name === 'chat.request')!;
    expect(root.parentSpanId).toBeUndefined();
    expect(root.attributes).toMatchObject({ 'ragtime.tenant_id': tenantId, 'ragtime.request_id': requestId });
    expectChatTurn(spans, root);
    // The request's span covers the whole answer: it ends after the model call does.
    const model = spans.find((span) => span.name.startsWith('chat '))!;
    expect(root.endTime[0] * 1e9 + root.endTime[1]).toBeGreaterThanOrEqual(model.endTime[0] * 1e9 + model.endTime[1]);

    // The API's log line for the request carries the same trace, and no prompt text.
    const line = logLines.find((entry) => entry.msg === 'chat request started' && entry.requestId === requestId);
    expect(line).toMatchObject({ traceId, spanId: root.spanContext().spanId, tenantId, workflowId: done.data.workflowId });
    expect(JSON.stringify(logLines)).not.toContain('lighthouse');

    // The operator's console: the run's memo carries its tokens, cost and latency. The cost is the usage at the
    // configured price of the local model (MODEL_PRICES defaults: 0.02 USD in, 0.04 USD out per million tokens).
    const { memo } = await api.temporal.workflow.getHandle(done.data.workflowId as string).describe();
    const usage = done.data.usage as { promptTokens: number; completionTokens: number };
    expect(memo).toMatchObject({ model: done.data.model, completionTokens: usage.completionTokens });
    expect(memo!.latencyMs).toBeGreaterThan(0);
    expect(memo!.costUsd).toBeCloseTo(Math.ceil(usage.promptTokens * 0.02 + usage.completionTokens * 0.04) / 1_000_000, 12);
    expect(memo!.costUsd).toBeGreaterThan(0);
  });

  it('starts the trace at an OpenAI-compatible chat completion', async () => {
    const requestId = `trace-${randomUUID()}`;
    const response = await fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await apiKeyFor(tenantId)}`, 'idempotency-key': requestId, 'cache-control': 'no-store' },
      body: JSON.stringify({ model: 'smollm2-135m-instruct', messages: [{ role: 'user', content: question }], max_tokens: 16 }),
    });
    expect(response.status).toBe(200);
    let root: ReadableSpan | undefined;
    await waitUntil('completion span exported', async () => {
      root = exporter.getFinishedSpans().find((span) => span.name === 'chat.completions' && span.attributes['ragtime.request_id'] === requestId);
      return root !== undefined;
    }, 30_000);
    expect(root!.parentSpanId).toBeUndefined();
    expect(root!.attributes['ragtime.tenant_id']).toBe(tenantId);
    const traceId = root!.spanContext().traceId;
    const spans = await traceOf(traceId, (names) => names.includes('RunWorkflow:chatTurnWorkflow'));
    expectChatTurn(spans, root!);
    const line = logLines.find((entry) => entry.msg === 'chat completion started' && entry.requestId === requestId);
    expect(line).toMatchObject({ traceId, tenantId });
  });
});
