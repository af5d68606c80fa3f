// The usage ledger and monthly budgets in Postgres. A request is reserved with an estimate when it is
// admitted and settled once with what the model served; the budget counters move in the same statement.
import type pg from 'pg';
import type { Pool } from '../postgres/pool.js';
import type { TokenUsage } from '../../domain/gateway/pricing.js';
import type { Settlement } from '../../domain/chat/ports.js';

// The ledger's entry types are the chat turn's port (persist settles through it); re-exported for the gateway.
export type { ModelCall, Settlement } from '../../domain/chat/ports.js';

export type Endpoint = 'chat.ws' | 'chat.completions' | 'responses' | 'embeddings' | 'fusion';

export interface Reservation {
  orgId: string;
  requestId: string;
  userId: string;
  endpoint: Endpoint;
  model: string;
  estimatedMicros: number;
  /** Micro-USD; null is unlimited. */
  budgetMicros: number | null;
}

export interface TurnUsage {
  model: string | null;
  outcome: string;
  usage: TokenUsage;
}

export interface UsageRow {
  day: string;
  userId: string;
  model: string;
  requests: number;
  cachedRequests: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

export interface StaleReservation {
  orgId: string;
  requestId: string;
  userId: string;
  endpoint: Endpoint;
  model: string;
}

/**
 * Settles a reservation once with what was served; true when this call settled it. Takes any client, so the
 * chat workflow's persist step settles in the same transaction as the turn it stores.
 */
export async function settleReservation(db: Pick<pg.Pool | pg.PoolClient, 'query'>, settlement: Settlement): Promise<boolean> {
  const calls = (settlement.calls ?? []).map((call, index) => ({
    seq: index, model: call.model, endpoint: call.endpoint ?? null, prompt_tokens: call.usage.promptTokens, completion_tokens: call.usage.completionTokens,
    cost_micros: Math.round(call.costMicros), latency_ms: call.latencyMs === undefined ? null : Math.round(call.latencyMs), outcome: call.outcome,
  }));
  // One statement: the calls are written only when this statement settled the request (exactly once).
  const { rows } = await db.query<{ settled: boolean }>(
    `WITH settle AS (SELECT gateway_settle($1, $2, $3, $4, $5, $6, $7, $8, $9) AS settled),
     calls AS (
       INSERT INTO usage_ledger_calls (org_id, request_id, seq, model, endpoint, prompt_tokens, completion_tokens, cost_micros, latency_ms, outcome)
       SELECT $1, $2, c.seq, c.model, c.endpoint, c.prompt_tokens, c.completion_tokens, c.cost_micros,
              coalesce(c.latency_ms, CASE WHEN jsonb_array_length($10::jsonb) = 1
                THEN (SELECT round(extract(epoch FROM now() - l.created_at) * 1000)::int FROM usage_ledger l WHERE l.org_id = $1 AND l.request_id = $2) END),
              c.outcome
       FROM jsonb_to_recordset($10::jsonb) AS c(seq int, model text, endpoint text, prompt_tokens int, completion_tokens int, cost_micros bigint, latency_ms int, outcome text), settle
       WHERE settle.settled
       RETURNING 1)
     SELECT settled, (SELECT count(*) FROM calls) AS calls FROM settle`,
    [settlement.orgId, settlement.requestId, settlement.model, settlement.usage.promptTokens, settlement.usage.completionTokens,
      settlement.costMicros, settlement.cached, settlement.outcome, settlement.usageSource, JSON.stringify(calls)],
  );
  return rows[0]!.settled;
}

export class UsageLedger {
  constructor(private readonly pool: Pool) {}

  async reserve(reservation: Reservation): Promise<'reserved' | 'duplicate' | 'budget_exhausted'> {
    const { rows } = await this.pool.query<{ result: 'reserved' | 'duplicate' | 'budget_exhausted' }>(
      'SELECT gateway_reserve($1, $2, $3, $4, $5, $6, $7) AS result',
      [reservation.orgId, reservation.requestId, reservation.userId, reservation.endpoint, reservation.model,
        reservation.estimatedMicros, reservation.budgetMicros],
    );
    return rows[0]!.result;
  }

  /** True when this call settled the request (a second settle of the same request changes nothing). */
  settle(settlement: Settlement): Promise<boolean> {
    return settleReservation(this.pool, settlement);
  }

  /** Drops a reservation whose request never ran (refused or not started) and frees its estimate. */
  async cancel(orgId: string, requestId: string): Promise<void> {
    await this.pool.query(
      `WITH gone AS (DELETE FROM usage_ledger WHERE org_id = $1 AND request_id = $2 AND status = 'reserved' RETURNING period, estimated_micros)
       UPDATE org_budget_periods b SET reserved_micros = b.reserved_micros - gone.estimated_micros
       FROM gone WHERE b.org_id = $1 AND b.period = gone.period`,
      [orgId, requestId],
    );
  }

  /** The persisted turn of a chat request (written by the workflow's persist step), if any. */
  async turnUsage(orgId: string, requestId: string): Promise<TurnUsage | undefined> {
    const { rows } = await this.pool.query<{ model: string | null; outcome: string; prompt_tokens: number; completion_tokens: number }>(
      'SELECT model, outcome, prompt_tokens, completion_tokens FROM turns WHERE tenant_id = $1 AND request_id = $2',
      [orgId, requestId],
    );
    const row = rows[0];
    return row && { model: row.model, outcome: row.outcome, usage: { promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens } };
  }

  async staleReservations(olderThanSeconds: number, limit: number): Promise<StaleReservation[]> {
    const { rows } = await this.pool.query<{ org_id: string; request_id: string; user_id: string; endpoint: Endpoint; model: string }>(
      `SELECT org_id, request_id, user_id, endpoint, model FROM usage_ledger
       WHERE status = 'reserved' AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((row) => ({ orgId: row.org_id, requestId: row.request_id, userId: row.user_id, endpoint: row.endpoint, model: row.model }));
  }

  /** Settled usage of one org per day, user and model, between two UTC dates (inclusive). */
  async report(orgId: string, options: { from: string; to: string; userId?: string }): Promise<UsageRow[]> {
    const { rows } = await this.pool.query<{ day: string; user_id: string; model: string; requests: string; cached_requests: string; prompt_tokens: string; completion_tokens: string; cost_micros: string }>(
      `SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, user_id, model,
              count(*) AS requests, count(*) FILTER (WHERE cached) AS cached_requests,
              sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens, sum(cost_micros) AS cost_micros
       FROM usage_ledger
       WHERE org_id = $1 AND status = 'settled'
         AND created_at >= ($2::date AT TIME ZONE 'UTC') AND created_at < (($3::date + 1) AT TIME ZONE 'UTC')
         AND ($4::text IS NULL OR user_id = $4)
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [orgId, options.from, options.to, options.userId ?? null],
    );
    return rows.map((row) => ({
      day: row.day, userId: row.user_id, model: row.model, requests: Number(row.requests), cachedRequests: Number(row.cached_requests),
      promptTokens: Number(row.prompt_tokens), completionTokens: Number(row.completion_tokens), costMicros: Number(row.cost_micros),
    }));
  }

  async budgetPeriod(orgId: string): Promise<{ period: string; spentMicros: number; reservedMicros: number }> {
    const { rows } = await this.pool.query<{ period: string; spent_micros: string; reserved_micros: string }>(
      `SELECT to_char(p.period, 'YYYY-MM') AS period, coalesce(b.spent_micros, 0) AS spent_micros, coalesce(b.reserved_micros, 0) AS reserved_micros
       FROM (SELECT date_trunc('month', now() AT TIME ZONE 'UTC')::date AS period) p
       LEFT JOIN org_budget_periods b ON b.org_id = $1 AND b.period = p.period`,
      [orgId],
    );
    const row = rows[0]!;
    return { period: row.period, spentMicros: Number(row.spent_micros), reservedMicros: Number(row.reserved_micros) };
  }
}
