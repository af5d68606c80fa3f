// One ingestion job is one trace: the client's job start, the batch workflow, each document's child
// workflow and every activity share one trace with a single root. An ingestion worker runs in this process
// with an in-memory span exporter behind the same tracing setup the worker process uses for OTLP.
import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../infra/tracing/tracing.js';
import { corpusCopy, ingestionSettings, runJob, startIngestionWorker, temporalClient } from '../support/ingestion.js';
import { waitUntil } from '../support/processes.js';

describe('ingestion tracing', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let settings: Record<string, string>;
  let worker: { stop(): Promise<void> };
  let client: Awaited<ReturnType<typeof temporalClient>>;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'ragtime-test', spanProcessor: new SimpleSpanProcessor(exporter) })!;
    settings = await ingestionSettings('trace');
    worker = await startIngestionWorker(settings, { tracing });
    client = await temporalClient({ tracing: true });
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    await worker?.stop();
    await tracing?.shutdown();
  });

  it('follows a job from its start through the batch workflow to each document and its steps', { timeout: 180_000 }, async () => {
    const job = await runJob(client.temporal, settings, { tenantId: `trace-${randomUUID().slice(0, 8)}`, sources: [await corpusCopy()] });
    expect(job.indexed).toBeGreaterThan(1);
    const start = exporter.getFinishedSpans().find((span) => span.name === 'StartWorkflow:ingestBatchWorkflow' && span.attributes.temporalWorkflowId === job.workflowId);
    expect(start).toBeDefined();
    const traceId = start!.spanContext().traceId;

    let spans: ReadableSpan[] = [];
    const named = (name: string) => spans.filter((span) => span.name === name);
    // Workflow spans reach the exporter through a sink once each run's last activation completes.
    await waitUntil('workflow spans exported', async () => {
      spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      return named('RunWorkflow:ingestBatchWorkflow').length === 1 && named('RunWorkflow:ingestDocumentWorkflow').length === job.indexed;
    }, 30_000);
    const names = spans.map((span) => span.name);
    expect(named('StartChildWorkflow:ingestDocumentWorkflow'), names.join(', ')).toHaveLength(job.indexed);
    for (const step of ['expandSources', 'fetchSource', 'parseSource', 'chunkSource', 'embedChunks', 'upsertChunks', 'finishDocument']) {
      expect(names, step).toContain(`RunActivity:${step}`);
    }
    expect(named('RunActivity:embedChunks').length).toBeGreaterThanOrEqual(job.indexed);

    // One tree: every span but the job start has its parent in the same trace, and each document's run
    // hangs under the batch workflow's child start.
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const roots = spans.filter((span) => !span.parentSpanId || !byId.has(span.parentSpanId));
    expect(roots).toEqual([start]);
    for (const run of named('RunWorkflow:ingestDocumentWorkflow')) {
      expect(byId.get(run.parentSpanId!)?.name).toBe('StartChildWorkflow:ingestDocumentWorkflow');
    }
  });
});
