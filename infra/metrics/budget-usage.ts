// ragtime_budget_used_ratio{tier}: for each tier, the share of the current month's budget spent by the
// most-spent org of that tier (orgs without a budget are left out). Read from Postgres at scrape time.
import type { Pool } from '../postgres/pool.js';
import type { TierLimits } from '../gateway/gateway-config.js';

interface Row {
  tier: keyof TierLimits;
  monthly_budget_micros: string | null;
  budget_unlimited: boolean;
  spent_micros: string;
}

export async function budgetUsedRatios(pool: Pool, tiers: TierLimits): Promise<Record<string, number>> {
  const { rows } = await pool.query<Row>(
    `SELECT o.tier, o.monthly_budget_micros, o.budget_unlimited, b.spent_micros
       FROM org_budget_periods b JOIN orgs o ON o.id = b.org_id
      WHERE b.period = date_trunc('month', now() AT TIME ZONE 'UTC')::date`,
  );
  const ratios: Record<string, number> = {};
  for (const row of rows) {
    if (row.budget_unlimited) continue;
    const tierBudgetUsd = tiers[row.tier]?.monthlyBudgetUsd;
    const budgetMicros = row.monthly_budget_micros !== null ? Number(row.monthly_budget_micros) : tierBudgetUsd == null ? undefined : tierBudgetUsd * 1e6;
    if (!budgetMicros) continue;
    const ratio = Number(row.spent_micros) / budgetMicros;
    ratios[row.tier] = Math.max(ratios[row.tier] ?? 0, ratio);
  }
  return ratios;
}
