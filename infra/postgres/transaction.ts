// The one place that writes BEGIN / COMMIT / ROLLBACK: `work` runs on one pooled connection inside a
// transaction that commits when it returns and rolls back when it throws; the connection always goes back.
import type { Pool, PoolClient } from 'pg';

export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A failed ROLLBACK (connection already gone) must not hide the error that caused it.
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
