// Orgs, users and API keys in Postgres, and the admin operations on them. Every admin change writes its
// audit row in the same transaction, so the log cannot miss a change or record one that did not happen.
import type { PoolClient } from 'pg';
import type { Pool } from '../postgres/pool.js';
import { withTransaction } from '../postgres/transaction.js';
import { RagtimeError } from '../../domain/errors.js';
import type { Tier } from '../../domain/gateway/principal.js';
import { generateApiKey } from './api-keys.js';

/** An org's budget setting: the tier's default, a fixed amount (micro-USD) or unlimited. */
export type BudgetSetting = { kind: 'tier_default' } | { kind: 'fixed'; micros: number } | { kind: 'unlimited' };

export interface OrgRecord {
  id: string;
  name: string;
  tier: Tier;
  budget: BudgetSetting;
  createdAt: Date;
  /** Set while the org is suspended: none of its credentials is accepted. */
  suspendedAt: Date | null;
}

export interface ApiKeyRecord {
  id: string;
  orgId: string;
  userId: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface KeyCredentials {
  orgId: string;
  userId: string;
  secretSha256: Buffer;
  revoked: boolean;
  /** The key's user was deleted. */
  userDeleted: boolean;
  org: OrgRecord;
}

export interface AuditEntry {
  at: Date;
  actor: string;
  action: string;
  orgId: string | null;
  target: string;
  details: Record<string, unknown>;
}

export class IdentityError extends RagtimeError {
  declare readonly code: 'not_found' | 'conflict';

  constructor(code: 'not_found' | 'conflict', message: string) {
    super(code, message);
  }
}

interface OrgRow {
  id: string;
  name: string;
  tier: Tier;
  monthly_budget_micros: string | null;
  budget_unlimited: boolean;
  created_at: Date;
  suspended_at: Date | null;
}

const orgColumns = 'o.id, o.name, o.tier, o.monthly_budget_micros, o.budget_unlimited, o.created_at, o.suspended_at';

export class IdentityStore {
  constructor(private readonly pool: Pool) {}

  // Reads used on every request.

  async keyCredentials(keyId: string): Promise<KeyCredentials | undefined> {
    const { rows } = await this.pool.query<OrgRow & { org_id: string; user_id: string; secret_sha256: Buffer; revoked_at: Date | null; deleted_at: Date | null }>(
      `SELECT k.org_id, k.user_id, k.secret_sha256, k.revoked_at, u.deleted_at, ${orgColumns}
       FROM api_keys k JOIN orgs o ON o.id = k.org_id JOIN users u ON u.org_id = k.org_id AND u.id = k.user_id WHERE k.id = $1`,
      [keyId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { orgId: row.org_id, userId: row.user_id, secretSha256: row.secret_sha256, revoked: row.revoked_at !== null, userDeleted: row.deleted_at !== null, org: toOrg(row) };
  }

  /** Whether the org has a deleted user of this id (a JWT's `sub` need not be a stored user at all). */
  async isUserDeleted(orgId: string, userId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM users WHERE org_id = $1 AND id = $2 AND deleted_at IS NOT NULL', [orgId, userId]);
    return (rowCount ?? 0) > 0;
  }

  async org(orgId: string): Promise<OrgRecord | undefined> {
    const { rows } = await this.pool.query<OrgRow>(`SELECT ${orgColumns} FROM orgs o WHERE o.id = $1`, [orgId]);
    return rows[0] ? toOrg(rows[0]) : undefined;
  }

  // Admin operations, each audited.

  async createOrg(actor: string, org: { id: string; name: string; tier: Tier }): Promise<OrgRecord> {
    return this.audited(actor, 'org.create', org.id, org.id, { name: org.name, tier: org.tier }, async (client) => {
      const { rows } = await client.query<OrgRow>(
        `INSERT INTO orgs (id, name, tier) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING
         RETURNING id, name, tier, monthly_budget_micros, budget_unlimited, created_at, suspended_at`,
        [org.id, org.name, org.tier],
      );
      if (!rows[0]) throw new IdentityError('conflict', `org ${org.id} already exists`);
      return toOrg(rows[0]);
    });
  }

  async listOrgs(): Promise<OrgRecord[]> {
    const { rows } = await this.pool.query<OrgRow>(`SELECT ${orgColumns} FROM orgs o ORDER BY o.id`);
    return rows.map(toOrg);
  }

  async setTier(actor: string, orgId: string, tier: Tier): Promise<void> {
    await this.audited(actor, 'org.set_tier', orgId, orgId, { tier }, async (client) => {
      const result = await client.query('UPDATE orgs SET tier = $2 WHERE id = $1', [orgId, tier]);
      if (result.rowCount === 0) throw new IdentityError('not_found', `no org ${orgId}`);
    });
  }

  async setBudget(actor: string, orgId: string, budget: BudgetSetting): Promise<void> {
    const micros = budget.kind === 'fixed' ? budget.micros : null;
    await this.audited(actor, 'org.set_budget', orgId, orgId, { budget }, async (client) => {
      const result = await client.query('UPDATE orgs SET monthly_budget_micros = $2, budget_unlimited = $3 WHERE id = $1', [orgId, micros, budget.kind === 'unlimited']);
      if (result.rowCount === 0) throw new IdentityError('not_found', `no org ${orgId}`);
    });
  }

  async createUser(actor: string, user: { orgId: string; id: string; email?: string }): Promise<void> {
    await this.audited(actor, 'user.create', user.orgId, user.id, { email: user.email ?? null }, async (client) => {
      if (!(await client.query('SELECT 1 FROM orgs WHERE id = $1', [user.orgId])).rowCount) throw new IdentityError('not_found', `no org ${user.orgId}`);
      const result = await client.query('INSERT INTO users (org_id, id, email) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [user.orgId, user.id, user.email ?? null]);
      if (result.rowCount === 0) throw new IdentityError('conflict', `user ${user.id} already exists in org ${user.orgId}`);
    });
  }

  async listUsers(orgId: string): Promise<{ id: string; email: string | null; createdAt: Date }[]> {
    const { rows } = await this.pool.query<{ id: string; email: string | null; created_at: Date }>(
      'SELECT id, email, created_at FROM users WHERE org_id = $1 ORDER BY id', [orgId]);
    return rows.map((row) => ({ id: row.id, email: row.email, createdAt: row.created_at }));
  }

  /** Creates a key and returns it whole: the only time it is ever visible. */
  async createKey(actor: string, key: { orgId: string; userId: string; name?: string }): Promise<{ id: string; key: string }> {
    const generated = generateApiKey();
    await this.audited(actor, 'key.create', key.orgId, generated.id, { userId: key.userId, name: key.name ?? '' }, async (client) => {
      if (!(await client.query('SELECT 1 FROM users WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL', [key.orgId, key.userId])).rowCount) {
        throw new IdentityError('not_found', `no user ${key.userId} in org ${key.orgId}`);
      }
      await client.query('INSERT INTO api_keys (id, org_id, user_id, name, secret_sha256) VALUES ($1, $2, $3, $4, $5)',
        [generated.id, key.orgId, key.userId, key.name ?? '', generated.secretSha256]);
    });
    return { id: generated.id, key: generated.key };
  }

  async listKeys(orgId: string): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query<{ id: string; org_id: string; user_id: string; name: string; created_at: Date; revoked_at: Date | null }>(
      'SELECT id, org_id, user_id, name, created_at, revoked_at FROM api_keys WHERE org_id = $1 ORDER BY created_at', [orgId]);
    return rows.map((row) => ({ id: row.id, orgId: row.org_id, userId: row.user_id, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at }));
  }

  /** Revokes a key of the given org (a key id alone cannot revoke another org's key). */
  async revokeKey(actor: string, orgId: string, keyId: string): Promise<void> {
    await this.audited(actor, 'key.revoke', orgId, keyId, {}, async (client) => {
      const result = await client.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND org_id = $2 AND revoked_at IS NULL', [keyId, orgId]);
      if (result.rowCount === 0) throw new IdentityError('not_found', `no active key ${keyId} in org ${orgId}`);
    });
  }

  /** Suspends (or, with `suspended` false, reinstates) an org: while suspended none of its credentials works. */
  async setOrgSuspended(actor: string, orgId: string, suspended: boolean): Promise<void> {
    await this.audited(actor, suspended ? 'org.suspend' : 'org.unsuspend', orgId, orgId, {}, async (client) => {
      const result = await client.query(`UPDATE orgs SET suspended_at = ${suspended ? 'coalesce(suspended_at, now())' : 'NULL'} WHERE id = $1`, [orgId]);
      if (result.rowCount === 0) throw new IdentityError('not_found', `no org ${orgId}`);
    });
  }

  /** Deletes a user: the row stays (keys and the ledger refer to it), marked deleted, and its keys are revoked. */
  async deleteUser(actor: string, orgId: string, userId: string): Promise<void> {
    await this.audited(actor, 'user.delete', orgId, userId, {}, async (client) => {
      const result = await client.query('UPDATE users SET deleted_at = now() WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL', [orgId, userId]);
      if (result.rowCount === 0) throw new IdentityError('not_found', `no user ${userId} in org ${orgId}`);
      await client.query('UPDATE api_keys SET revoked_at = now() WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL', [orgId, userId]);
    });
  }

  async auditLog(options: { orgId?: string; limit: number }): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query<{ at: Date; actor: string; action: string; org_id: string | null; target: string; details: Record<string, unknown> }>(
      `SELECT at, actor, action, org_id, target, details FROM admin_audit_log
       WHERE $1::text IS NULL OR org_id = $1 ORDER BY id DESC LIMIT $2`,
      [options.orgId ?? null, options.limit],
    );
    return rows.map((row) => ({ at: row.at, actor: row.actor, action: row.action, orgId: row.org_id, target: row.target, details: row.details }));
  }

  /** Runs `change` and writes its audit row in one transaction (also for changes kept in other stores). */
  async audited<T>(actor: string, action: string, orgId: string, target: string, details: Record<string, unknown>, change: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, async (client) => {
      const result = await change(client);
      await client.query('INSERT INTO admin_audit_log (actor, action, org_id, target, details) VALUES ($1, $2, $3, $4, $5)',
        [actor, action, orgId, target, JSON.stringify(details)]);
      return result;
    });
  }
}

function toOrg(row: OrgRow): OrgRecord {
  const budget: BudgetSetting = row.budget_unlimited
    ? { kind: 'unlimited' }
    : row.monthly_budget_micros !== null ? { kind: 'fixed', micros: Number(row.monthly_budget_micros) } : { kind: 'tier_default' };
  return { id: row.id, name: row.name, tier: row.tier, budget, createdAt: row.created_at, suspendedAt: row.suspended_at };
}
