// Per-tenant tool enablement in Postgres (table tenant_tool_settings), cached briefly like the safety policy.
import type { Pool } from '../postgres/pool.js';
import type { Queryable } from '../postgres/safety-policy-store.js';

export class TenantToolSettings {
  private readonly cache = new Map<string, { tools: string[] | undefined; expires: number }>();

  constructor(private readonly pool: Pool, private readonly ttlMs = 30_000) {}

  /** The tools the tenant chose, or undefined when it has no setting (the deployment default applies). */
  async enabledTools(tenantId: string): Promise<string[] | undefined> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.expires > Date.now()) return cached.tools;
    const { rows } = await this.pool.query<{ enabled_tools: string[] }>('SELECT enabled_tools FROM tenant_tool_settings WHERE tenant_id = $1', [tenantId]);
    const tools = rows[0]?.enabled_tools;
    this.cache.set(tenantId, { tools, expires: Date.now() + this.ttlMs });
    return tools;
  }

  /** Sets the tenant's tools; `undefined` removes the setting so the default applies again. */
  async setEnabledTools(tenantId: string, tools: readonly string[] | undefined, db: Queryable = this.pool): Promise<void> {
    if (tools === undefined) {
      await db.query('DELETE FROM tenant_tool_settings WHERE tenant_id = $1', [tenantId]);
    } else {
      await db.query(
        `INSERT INTO tenant_tool_settings (tenant_id, enabled_tools) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET enabled_tools = EXCLUDED.enabled_tools, updated_at = now()`,
        [tenantId, [...new Set(tools)]],
      );
    }
    this.cache.delete(tenantId);
  }
}
