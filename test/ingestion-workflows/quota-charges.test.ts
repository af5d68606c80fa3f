// Quota charges are idempotent by key: an ingestion step retried after a crash or a timeout presents the same
// key and is not counted twice; a refused charge leaves no key, so the same step is charged once it fits.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TenantIngestionLimits } from '../../infra/ingestion/tenant-ingestion-limits.js';
import { QuotaExceededError } from '../../ingestion/ingestion-errors.js';
import { createPool } from '../../infra/postgres/pool.js';
import { services } from '../support/services.js';

describe('ingestion quota charges', () => {
  const pool = createPool(services().databaseUrl);
  const limits = (documents: number) => new TenantIngestionLimits(pool, { maxConcurrentDocuments: 1, slotLeaseSeconds: 1800, period: 'month', quotas: { documents, bytes: 0, tokens: 0 } });
  afterAll(async () => {
    await pool.end();
  });

  it('counts a charge once per key, also when the same key arrives concurrently', async () => {
    const tenant = `charges-${randomUUID().slice(0, 8)}`;
    const unlimited = limits(0);
    await unlimited.charge(tenant, 'run-1:fetch:doc-a:hash-1', { documents: 1, bytes: 100 });
    await unlimited.charge(tenant, 'run-1:fetch:doc-a:hash-1', { documents: 1, bytes: 100 });
    await Promise.all(Array.from({ length: 5 }, () => unlimited.charge(tenant, 'run-1:embed:batch-1', { tokens: 40 })));
    await unlimited.charge(tenant, 'run-1:fetch:doc-b:hash-2', { documents: 1, bytes: 7 });
    expect(await unlimited.usage(tenant)).toEqual({ documents: 2, bytes: 107, tokens: 40 });
  });

  it('keeps no key for a refused charge, and never lets a repeated key through a full quota twice', async () => {
    const tenant = `charges-${randomUUID().slice(0, 8)}`;
    const two = limits(2);
    await two.charge(tenant, 'job:fetch:a', { documents: 1 });
    await two.charge(tenant, 'job:fetch:b', { documents: 1 });
    await expect(two.charge(tenant, 'job:fetch:c', { documents: 1 })).rejects.toBeInstanceOf(QuotaExceededError);
    // A retry of an already-charged step still passes (it was counted), a refused one is refused again.
    await two.charge(tenant, 'job:fetch:b', { documents: 1 });
    await expect(two.charge(tenant, 'job:fetch:c', { documents: 1 })).rejects.toThrow(/over its ingestion quota: 2 of 2 documents per month/);
    const { rows } = await pool.query<{ charge_key: string }>('SELECT charge_key FROM ingestion_usage_charges WHERE tenant_id = $1 ORDER BY charge_key', [tenant]);
    expect(rows.map((row) => row.charge_key)).toEqual(['job:fetch:a', 'job:fetch:b']);
    expect(await two.usage(tenant)).toEqual({ documents: 2, bytes: 0, tokens: 0 });
  });
});
