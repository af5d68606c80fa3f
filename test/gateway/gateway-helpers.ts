// Shared helpers of the gateway suites: tier settings, ledger reads, a table held to catch persist mid-write.
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

/**
 * Holds every write to `table` until released (a transaction holding it in EXCLUSIVE mode; reads go on): a persist
 * step that writes there waits, so a test sees what the client got before the turn was stored.
 */
export async function holdTable(pool: pg.Pool, table: 'turns' | 'usage_ledger_calls'): Promise<{ release: () => void }> {
  const holder = await pool.connect();
  await holder.query('BEGIN');
  await holder.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      holder.query('COMMIT').finally(() => holder.release()).catch(() => undefined);
    },
  };
}

/** Whether, within 30 s, some session of this database waits for a lock on `table` (a persist step mid-write). */
export async function writeWaitingOn(pool: pg.Pool, table: string): Promise<boolean> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const { rows } = await pool.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
       WHERE c.relname = $1 AND NOT l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [table],
    );
    if (rows[0]!.waiting > 0) return true;
  }
  return false;
}
