// Tenants' safety policy overrides, resolved onto the defaults and cached briefly.
import { resolveSafetyPolicy, type SafetyPolicy } from '../../domain/safety/safety-policy.js';
import type { Pool } from './pool.js';

/** A pool or a client inside a transaction. */
export type Queryable = Pick<Pool, 'query'>;

export class SafetyPolicyStore {
  private readonly cache = new Map<string, { policy: SafetyPolicy; expires: number }>();

  constructor(private readonly pool: Pool, private readonly ttlMs = 30_000) {}

  async policyFor(tenantId: string): Promise<SafetyPolicy> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.expires > Date.now()) return cached.policy;
    const { rows } = await this.pool.query<{ overrides: unknown }>('SELECT overrides FROM tenant_safety_policies WHERE tenant_id = $1', [tenantId]);
    const policy = resolveSafetyPolicy(rows[0]?.overrides ?? {});
    this.cache.set(tenantId, { policy, expires: Date.now() + this.ttlMs });
    return policy;
  }

  /** A tenant's stored overrides ({} when it has none). */
  async overridesOf(tenantId: string): Promise<unknown> {
    const { rows } = await this.pool.query<{ overrides: unknown }>('SELECT overrides FROM tenant_safety_policies WHERE tenant_id = $1', [tenantId]);
    return rows[0]?.overrides ?? {};
  }

  /** Stores a tenant's overrides after validating them (a typo throws instead of weakening the policy). */
  async setOverrides(tenantId: string, overrides: unknown, db: Queryable = this.pool): Promise<void> {
    resolveSafetyPolicy(overrides);
    await db.query(
      `INSERT INTO tenant_safety_policies (tenant_id, overrides) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET overrides = EXCLUDED.overrides, updated_at = now()`,
      [tenantId, JSON.stringify(overrides)],
    );
    this.cache.delete(tenantId);
  }
}
