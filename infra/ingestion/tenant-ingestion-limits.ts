// What one tenant may have ingested: documents in process at once (slots in Postgres, shared by every job and
// worker of the tenant) and quotas per period (documents, fetched bytes, embedded tokens). A charge that does
// not fit is refused with the quota, the usage and when the period resets.
import type pg from 'pg';
import { QuotaExceededError } from '../../ingestion/ingestion-errors.js';
import type * as ports from '../../ingestion/ports.js';
import type { QuotaCharge } from '../../ingestion/ports.js';
import { withTransaction } from '../postgres/transaction.js';

export interface TenantIngestionLimitOptions {
  /** INGESTION_TENANT_MAX_CONCURRENT_DOCUMENTS */
  maxConcurrentDocuments: number;
  /** A slot older than this is taken to belong to a run that was terminated. */
  slotLeaseSeconds: number;
  /**
   * Whether the run holding a slot still runs. When the tenant's slots are all taken, holders older than
   * `holderCheckSeconds` (10) are asked (each at most once per that interval) and the slots of closed runs freed,
   * so a terminated job does not block its tenant for the whole lease.
   */
  holderAlive?: (holder: string) => Promise<boolean>;
  holderCheckSeconds?: number;
  period: 'day' | 'month';
  /** 0 = unlimited. */
  quotas: { documents: number; bytes: number; tokens: number };
}

const settings = { documents: 'INGESTION_QUOTA_DOCUMENTS', bytes: 'INGESTION_QUOTA_BYTES', tokens: 'INGESTION_QUOTA_TOKENS' } as const;

/** The TenantIngestionLimits port in Postgres: slots and usage shared by every worker of the deployment. */
export class TenantIngestionLimits implements ports.TenantIngestionLimits {
  private readonly checkedAt = new Map<string, number>();

  constructor(private readonly pool: pg.Pool, private readonly options: TenantIngestionLimitOptions) {}

  /** Takes a processing slot for `holder` (idempotent); false when the tenant has all its slots in use. */
  async claimSlot(tenantId: string, holder: string): Promise<boolean> {
    if (await this.tryClaim(tenantId, holder)) return true;
    return await this.freeClosedHolders(tenantId, holder) > 0 && this.tryClaim(tenantId, holder);
  }

  /** Frees the tenant's slots whose runs have closed; the number freed. */
  private async freeClosedHolders(tenantId: string, claimant: string): Promise<number> {
    const alive = this.options.holderAlive;
    if (!alive) return 0;
    const intervalSeconds = this.options.holderCheckSeconds ?? 10;
    const now = Date.now();
    for (const [holder, at] of this.checkedAt) if (now - at > intervalSeconds * 1000) this.checkedAt.delete(holder);
    const { rows } = await this.pool.query<{ holder: string }>(
      `SELECT holder FROM ingestion_document_slots WHERE tenant_id = $1 AND holder <> $2 AND acquired_at < now() - make_interval(secs => $3)`,
      [tenantId, claimant, intervalSeconds]);
    const due = rows.map((row) => row.holder).filter((holder) => !this.checkedAt.has(holder));
    for (const holder of due) this.checkedAt.set(holder, now);
    const closed = (await Promise.all(due.map(async (holder) => (await alive(holder)) ? [] : [holder]))).flat();
    if (closed.length === 0) return 0;
    const { rowCount } = await this.pool.query('DELETE FROM ingestion_document_slots WHERE tenant_id = $1 AND holder = ANY($2)', [tenantId, closed]);
    return rowCount ?? 0;
  }

  private async tryClaim(tenantId: string, holder: string): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ingestion-slots:${tenantId}`]);
      await client.query(`DELETE FROM ingestion_document_slots WHERE tenant_id = $1 AND acquired_at < now() - make_interval(secs => $2)`, [tenantId, this.options.slotLeaseSeconds]);
      const { rows } = await client.query<{ held: boolean; used: number }>(
        `SELECT bool_or(holder = $2) AS held, count(*)::int AS used FROM ingestion_document_slots WHERE tenant_id = $1`, [tenantId, holder]);
      const granted = rows[0]!.held === true || rows[0]!.used < this.options.maxConcurrentDocuments;
      if (granted) await client.query('INSERT INTO ingestion_document_slots (tenant_id, holder) VALUES ($1, $2) ON CONFLICT DO NOTHING', [tenantId, holder]);
      return granted;
    });
  }

  async releaseSlot(tenantId: string, holder: string): Promise<void> {
    await this.pool.query('DELETE FROM ingestion_document_slots WHERE tenant_id = $1 AND holder = $2', [tenantId, holder]);
  }

  async slotsInUse(tenantId: string): Promise<number> {
    const { rows } = await this.pool.query<{ used: number }>('SELECT count(*)::int AS used FROM ingestion_document_slots WHERE tenant_id = $1', [tenantId]);
    return rows[0]!.used;
  }

  /**
   * Adds `charge` to this period's usage, all or nothing, once per `key`: a retried activity presenting the same
   * key is not charged again. Refuses with QuotaExceededError when the charge does not fit; a refused charge
   * leaves no key behind (its transaction rolls back), so a later attempt, after the quota resets, is charged then.
   */
  async charge(tenantId: string, key: string, charge: QuotaCharge): Promise<void> {
    const amounts = { documents: charge.documents ?? 0, bytes: charge.bytes ?? 0, tokens: charge.tokens ?? 0 };
    const limits = this.options.quotas;
    const period = `date_trunc('${this.options.period}', now() AT TIME ZONE 'UTC')::date`;
    await withTransaction(this.pool, async (client) => {
      await client.query(`DELETE FROM ingestion_usage_charges WHERE tenant_id = $1 AND period_start < ${period}`, [tenantId]);
      const first = await client.query(
        `INSERT INTO ingestion_usage_charges (tenant_id, charge_key, period_start) VALUES ($1, $2, ${period}) ON CONFLICT DO NOTHING`, [tenantId, key]);
      if (first.rowCount === 0) return;
      const { rowCount } = await client.query(
        `WITH charge AS (SELECT $2::bigint AS documents, $3::bigint AS bytes, $4::bigint AS tokens,
                                $5::bigint AS max_documents, $6::bigint AS max_bytes, $7::bigint AS max_tokens)
         INSERT INTO ingestion_usage AS usage (tenant_id, period_start, documents, bytes, tokens)
         SELECT $1, ${period}, documents, bytes, tokens FROM charge
         WHERE (max_documents = 0 OR documents <= max_documents) AND (max_bytes = 0 OR bytes <= max_bytes) AND (max_tokens = 0 OR tokens <= max_tokens)
         ON CONFLICT (tenant_id, period_start) DO UPDATE
           SET documents = usage.documents + excluded.documents, bytes = usage.bytes + excluded.bytes, tokens = usage.tokens + excluded.tokens
           WHERE ($5::bigint = 0 OR usage.documents + excluded.documents <= $5::bigint) AND ($6::bigint = 0 OR usage.bytes + excluded.bytes <= $6::bigint)
             AND ($7::bigint = 0 OR usage.tokens + excluded.tokens <= $7::bigint)`,
        [tenantId, amounts.documents, amounts.bytes, amounts.tokens, limits.documents, limits.bytes, limits.tokens],
      );
      if (rowCount === 1) return;
      // Refused: the usage read here is the period's as committed (this transaction changed none of it).
      const usage = await this.usage(tenantId, client);
      const trunc = this.options.period;
      const over = (Object.keys(settings) as (keyof typeof settings)[]).find((kind) => limits[kind] > 0 && usage[kind] + amounts[kind] > limits[kind]) ?? 'documents';
      throw new QuotaExceededError(`tenant ${tenantId} is over its ingestion quota: ${usage[over]} of ${limits[over]} ${over} per ${trunc} used, this document needs ${amounts[over]} more (${settings[over]}); the quota resets at ${periodEnd(trunc)}`);
    });
  }

  async usage(tenantId: string, db: Pick<pg.Pool, 'query'> = this.pool): Promise<{ documents: number; bytes: number; tokens: number }> {
    const { rows } = await db.query<{ documents: string; bytes: string; tokens: string }>(
      `SELECT documents, bytes, tokens FROM ingestion_usage WHERE tenant_id = $1 AND period_start = date_trunc('${this.options.period}', now() AT TIME ZONE 'UTC')::date`, [tenantId]);
    const row = rows[0];
    return { documents: Number(row?.documents ?? 0), bytes: Number(row?.bytes ?? 0), tokens: Number(row?.tokens ?? 0) };
  }
}

function periodEnd(period: 'day' | 'month'): string {
  const now = new Date();
  const end = period === 'day'
    ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)
    : Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return new Date(end).toISOString();
}
