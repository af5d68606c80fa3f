// What every worker process sets up before its worker: the Temporal SDK's own log lines as pino JSON, its
// worker metrics next to ours on /metrics (METRICS_PORT), and tracing (OTLP when configured).
import { Runtime } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import { temporalLogger, type Logger } from '../infra/logger.js';
import { createMetrics, type Metrics } from '../infra/metrics/metrics.js';
import { startMetricsServer } from '../infra/metrics/metrics-server.js';
import { EventLoopWatchdog } from '../infra/metrics/event-loop-watchdog.js';
import { startTracing, type Tracing } from '../infra/tracing/tracing.js';

export interface WorkerTelemetry {
  metrics: Metrics;
  /** Absent unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing?: Tracing;
}

/** Once per process: installs the SDK runtime, serves /metrics and /healthz and registers the tracer provider. */
export async function startWorkerTelemetry(config: Config, logger: Logger, serviceName: string): Promise<WorkerTelemetry> {
  const metrics = createMetrics();
  const sdkAddress = `127.0.0.1:${config.METRICS_PORT + 1}`;
  // The SDK's own lines (worker, workflow, activity.log) as JSON through pino, tenant and trace ids included.
  Runtime.install({
    logger: temporalLogger(logger),
    ...(config.METRICS_PORT > 0 ? { telemetryOptions: { metrics: { prometheus: { bindAddress: sdkAddress } } } } : {}),
  });
  if (config.METRICS_PORT > 0) {
    // /healthz reports a stalled event loop (WORKER_EVENT_LOOP_STALL_MS), so an orchestrator restarts a wedged worker.
    const watchdog = new EventLoopWatchdog({ stallMs: config.WORKER_EVENT_LOOP_STALL_MS }).start();
    await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, registry: metrics.registry, sdkMetricsUrl: `http://${sdkAddress}/metrics`, watchdog });
  }
  const tracing = startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? serviceName, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  return { metrics, ...(tracing ? { tracing } : {}) };
}
