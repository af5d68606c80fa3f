// Shared helpers of the gateway suites: tier settings, ledger reads.
import pg from 'pg';
import type { TierLimits } from '../../infra/gateway/gateway-config.js';
import { services } from '../support/services.js';

const roomy = { requestsPerMinute: 10_000, tokensPerMinute: 10_000_000, concurrentStreams: 100 };

/** GATEWAY_TIERS with generous limits everywhere except the given tier's org/user limits. */
export function tiersWith(tier: keyof TierLimits, org: Partial<typeof roomy>, user: Partial<typeof roomy> = {}, monthlyBudgetUsd: number | null = null): string {
  const base = { org: roomy, user: roomy, monthlyBudgetUsd: null };
  const tiers: TierLimits = { free: base, pro: base, enterprise: base };
  tiers[tier] = { org: { ...roomy, ...org }, user: { ...roomy, ...user }, monthlyBudgetUsd };
  return JSON.stringify(tiers);
}

export interface LedgerRow {
  status: string;
  user_id: string;
  model: string;
  endpoint: string;
  prompt_tokens: number;
  completion_tokens: number;
  cost_micros: string;
  cached: boolean;
  outcome: string | null;
  usage_source: string | null;
}

export function ledgerPool(): pg.Pool {
  return new pg.Pool({ connectionString: services().databaseUrl, max: 2 });
}

export async function settledRow(pool: pg.Pool, orgId: string, requestId: string, timeoutMs = 60_000): Promise<LedgerRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<LedgerRow>('SELECT * FROM usage_ledger WHERE org_id = $1 AND request_id = $2', [orgId, requestId]);
    if (rows[0]?.status === 'settled') return rows[0];
    if (Date.now() > deadline) throw new Error(`ledger row ${orgId}/${requestId} not settled: ${JSON.stringify(rows[0])}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function ledgerRows(pool: pg.Pool, orgId: string): Promise<LedgerRow[]> {
  return (await pool.query<LedgerRow>('SELECT * FROM usage_ledger WHERE org_id = $1', [orgId])).rows;
}
