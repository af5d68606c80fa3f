// Ragtime's Prometheus series (the contract is infra/deploy/METRICS.md). Labels stay low-cardinality:
// no user, request or tenant ids.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({ name: 'ragtime_http_requests_total', help: 'HTTP requests finished', labelNames: ['route', 'method', 'status'], registers: [registry] }),
    httpDuration: new Histogram({
      name: 'ragtime_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'ragtime_workflow_step_duration_seconds', help: 'Duration of one activity attempt', labelNames: ['step', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120], registers: [registry],
    }),
    websocketConnections: new Gauge({ name: 'ragtime_websocket_connections', help: 'Open chat WebSocket connections', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
