// Per-model figures from the call ledger (usage_ledger_calls: one row per model call of a settled request):
// requests, errors, tokens, cost and latency percentiles over a window, for one org or (operators) all orgs.
import type { Pool } from '../postgres/pool.js';

export interface LatencyPercentiles {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Calls with a measured latency in the window. */
  samples: number;
}

export interface ModelCallMetrics {
  requests: number;
  errors: number;
  /** Calls a failover moved on from (counted in errors too). */
  failedOver: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
  latency: LatencyPercentiles;
}

/** Outcomes of a call that count as its model's error. */
const errorOutcomes = ['failed', 'failed_over'];

export class ProviderMetrics {
  constructor(private readonly pool: Pool) {}

  /** One model's calls in the last `windowSeconds`; `orgId` null is every org. */
  async forModel(model: string, windowSeconds: number, orgId: string | null): Promise<ModelCallMetrics> {
    const { rows } = await this.pool.query<{
      requests: string; errors: string; failed_over: string; prompt_tokens: string | null; completion_tokens: string | null; cost_micros: string | null;
      p50: number | null; p95: number | null; p99: number | null; samples: string;
    }>(
      `SELECT count(*) AS requests,
              count(*) FILTER (WHERE outcome = ANY($4)) AS errors,
              count(*) FILTER (WHERE outcome = 'failed_over') AS failed_over,
              sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens, sum(cost_micros) AS cost_micros,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99,
              count(latency_ms) AS samples
       FROM usage_ledger_calls
       WHERE model = $1 AND created_at >= now() - make_interval(secs => $2) AND ($3::text IS NULL OR org_id = $3)`,
      [model, windowSeconds, orgId, errorOutcomes],
    );
    const row = rows[0]!;
    return {
      requests: Number(row.requests),
      errors: Number(row.errors),
      failedOver: Number(row.failed_over),
      promptTokens: Number(row.prompt_tokens ?? 0),
      completionTokens: Number(row.completion_tokens ?? 0),
      costMicros: Number(row.cost_micros ?? 0),
      latency: percentilesOf(row),
    };
  }

  /** Measured latency per model over the window, across orgs (a property of the endpoint, not of a tenant). */
  async latencyByModel(models: string[], windowSeconds: number): Promise<Map<string, LatencyPercentiles>> {
    const result = new Map<string, LatencyPercentiles>();
    if (models.length === 0) return result;
    const { rows } = await this.pool.query<{ model: string; p50: number | null; p95: number | null; p99: number | null; samples: string }>(
      `SELECT model,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99,
              count(latency_ms) AS samples
       FROM usage_ledger_calls
       WHERE model = ANY($1) AND latency_ms IS NOT NULL AND created_at >= now() - make_interval(secs => $2)
       GROUP BY model`,
      [models, windowSeconds],
    );
    for (const row of rows) result.set(row.model, percentilesOf(row));
    return result;
  }
}

function percentilesOf(row: { p50: number | null; p95: number | null; p99: number | null; samples: string }): LatencyPercentiles {
  const round = (value: number | null) => (value === null ? null : Math.round(value));
  return { p50Ms: round(row.p50), p95Ms: round(row.p95), p99Ms: round(row.p99), samples: Number(row.samples) };
}
