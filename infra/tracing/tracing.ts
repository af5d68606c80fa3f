// OpenTelemetry tracing for one process. A chat turn is one trace: the API's workflow start (Temporal
// client interceptor) → the workflow (workflow interceptors, exported through a sink) → each activity
// (activity interceptors) → the model call (a client span in the model adapter). Spans go over OTLP/HTTP
// when OTEL_EXPORTER_OTLP_ENDPOINT is set; tests pass their own processor (an in-memory exporter).
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
import type { WorkerOptions } from '@temporalio/worker';

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
      sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
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
