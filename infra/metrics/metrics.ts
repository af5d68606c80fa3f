// Ragtime's Prometheus series (the contract is infra/deploy/METRICS.md). Labels stay low-cardinality:
// no user, request or tenant ids.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Values read at scrape time, filled in by the composition root that owns the adapters. */
export interface ScrapeSources {
  /** Circuit state per model endpoint (registry name): 0 closed, 1 half-open, 2 open. */
  circuitBreakers?: () => Promise<Record<string, number>>;
  /** Per tier, the most-spent org's share of its monthly budget. */
  budgetUsedRatios?: () => Promise<Record<string, number>>;
}

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sources: ScrapeSources = {};
  return {
    registry,
    sources,
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
    ttft: new Histogram({
      name: 'ragtime_ttft_seconds', help: 'Time from workflow start to the first answer.delta published', labelNames: ['model'],
      buckets: [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 20], registers: [registry],
    }),
    tokens: new Counter({ name: 'ragtime_tokens_total', help: 'Tokens billed', labelNames: ['model', 'tier', 'direction'], registers: [registry] }),
    costUsd: new Counter({ name: 'ragtime_cost_usd_total', help: 'Cost in US dollars from the price list', labelNames: ['model', 'tier'], registers: [registry] }),
    rateLimitRejections: new Counter({ name: 'ragtime_rate_limit_rejections_total', help: 'Requests refused by a rate limit', labelNames: ['scope'], registers: [registry] }),
    cacheHits: new Counter({ name: 'ragtime_cache_hits_total', help: 'Answers served from the response cache', registers: [registry] }),
    circuitBreakerState: new Gauge({
      name: 'ragtime_circuit_breaker_state', help: 'Model endpoint circuit: 0 closed, 1 half-open, 2 open', labelNames: ['endpoint'], registers: [registry],
      async collect() {
        if (!sources.circuitBreakers) return;
        const states = await sources.circuitBreakers().catch(() => undefined);
        if (!states) return;
        this.reset();
        for (const [endpoint, state] of Object.entries(states)) this.set({ endpoint }, state);
      },
    }),
    budgetUsedRatio: new Gauge({
      name: 'ragtime_budget_used_ratio', help: "Share of the month's budget spent by the most-spent org of each tier", labelNames: ['tier'], registers: [registry],
      async collect() {
        if (!sources.budgetUsedRatios) return;
        const ratios = await sources.budgetUsedRatios().catch(() => undefined);
        if (!ratios) return;
        this.reset();
        for (const [tier, ratio] of Object.entries(ratios)) this.set({ tier }, ratio);
      },
    }),
    ingestionDocuments: new Counter({ name: 'ragtime_ingestion_documents_total', help: 'Documents finished by ingestion', labelNames: ['status'], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
