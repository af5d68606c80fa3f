// OpenTelemetry tracing for one process. A chat request is one trace: the API's request span (request-span.ts)
// → its workflow start (Temporal client interceptor) → the workflow (workflow interceptors, exported through
// a sink) → each activity (activity interceptors) → the model call (a client span in the model adapter). An
// ingestion job likewise: its start → the batch workflow → each document's child workflow → its activities.
// Spans go over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; tests pass their own processor (an
// in-memory exporter).
import { createRequire } from 'node:module';
import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { tenantLogInterceptor } from './tenant-log-interceptor.js';

export interface Tracing {
  /** What workers add to their options: workflow and activity interceptors and the workflow span sink. */
  workerOptions(): Pick<WorkerOptions, 'sinks'> & { interceptors: Required<Pick<NonNullable<WorkerOptions['interceptors']>, 'workflowModules' | 'activity'>> };
  shutdown(): Promise<void>;
}

/** Trace context for a Temporal client: starting a workflow opens a span and hands its context to the run. */
export function tracingClientInterceptors() {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

export function tracer(): Tracer {
  return trace.getTracer('ragtime');
}

/**
 * Registers a global tracer provider (AsyncLocalStorage context, W3C trace-context propagation) when an
 * OTLP endpoint or a span processor is given; otherwise returns undefined and spans stay no-ops.
 */
export function startTracing(options: { serviceName: string; otlpEndpoint?: string; spanProcessor?: SpanProcessor }): Tracing | undefined {
  const spanProcessor = options.spanProcessor
    ?? (options.otlpEndpoint ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` })) : undefined);
  if (!spanProcessor) return undefined;
  const resource = new Resource({ 'service.name': options.serviceName });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const workflowInterceptors = createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');
  return {
    workerOptions: () => ({
      sinks: { exporter: workflowSpanExporter(spanProcessor, resource) },
      interceptors: {
        workflowModules: [workflowInterceptors],
        activity: [(context) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(context),
          outbound: new OpenTelemetryActivityOutboundInterceptor(context),
        })],
      },
    }),
    async shutdown() {
      await provider.shutdown();
    },
  };
}

/** What the sink may add to each workflow span from the run's WorkflowInfo: identifiers only. */
const exportedInfo = ['workflowId', 'runId', 'workflowType', 'taskQueue', 'namespace', 'attempt'] as const;

/**
 * The SDK's workflow span sink, fed only the identifying part of WorkflowInfo: the sink copies whatever info
 * it gets onto every workflow span, and the whole info carries the memo (a preview of the question) and the
 * search attributes, which must not leave the process in traces.
 */
function workflowSpanExporter(spanProcessor: SpanProcessor, resource: Resource): ReturnType<typeof makeWorkflowExporter> {
  const exporter = makeWorkflowExporter(spanProcessor, resource);
  return {
    ...exporter,
    export: {
      ...exporter.export,
      fn: (info, spans) => exporter.export.fn(Object.fromEntries(exportedInfo.map((key) => [key, info[key]])) as unknown as WorkflowInfo, spans),
    },
  };
}

/**
 * A worker's interceptors and sinks. Tracing's activity interceptors come first, so the work of every other
 * interceptor happens inside the activity's span; then the tenant on log lines, then `activity`. Workflow
 * spans need the tracing workflow interceptors bundled with the workflows: only when they are bundled at
 * start (a prebuilt bundle has none).
 */
export function workerInterceptors(tracing: Tracing | undefined, options: { activity?: ActivityInterceptorsFactory[]; bundledAtStart: boolean }): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const traced = tracing?.workerOptions();
  return {
    interceptors: {
      activity: [...(traced?.interceptors.activity ?? []), tenantLogInterceptor(), ...(options.activity ?? [])],
      ...(traced && options.bundledAtStart ? { workflowModules: traced.interceptors.workflowModules } : {}),
    },
    ...(traced ? { sinks: traced.sinks } : {}),
  };
}
