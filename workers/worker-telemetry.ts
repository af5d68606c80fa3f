// What every worker process sets up before its worker: the Temporal SDK's own log lines as pino JSON, its
// worker metrics next to ours on /metrics (METRICS_PORT), and tracing (OTLP when configured).
import { Runtime } from '@temporalio/worker';
import type { Config } from '../infra/config.js';
import { temporalLogger, type Logger } from '../infra/logger.js';
import { createMetrics, type Metrics } from '../infra/metrics/metrics.js';
import { startMetricsServer } from '../infra/metrics/metrics-server.js';
import { startTracing, type Tracing } from '../infra/tracing/tracing.js';

export interface WorkerTelemetry {
  metrics: Metrics;
  /** Absent unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing?: Tracing;
}

/** Once per process: installs the SDK runtime, serves /metrics and registers the tracer provider. */
export async function startWorkerTelemetry(config: Config, logger: Logger, serviceName: string): Promise<WorkerTelemetry> {
  const metrics = createMetrics();
  const sdkAddress = `127.0.0.1:${config.METRICS_PORT + 1}`;
  // The SDK's own lines (worker, workflow, activity.log) as JSON through pino, tenant and trace ids included.
  Runtime.install({
    logger: temporalLogger(logger),
    ...(config.METRICS_PORT > 0 ? { telemetryOptions: { metrics: { prometheus: { bindAddress: sdkAddress } } } } : {}),
  });
  if (config.METRICS_PORT > 0) {
    await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, registry: metrics.registry, sdkMetricsUrl: `http://${sdkAddress}/metrics` });
  }
  const tracing = startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? serviceName, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  return { metrics, ...(tracing ? { tracing } : {}) };
}
