// A throwaway database with a login role of its own, for the SQL tool's suites: `setup` runs as the superuser
// (create schemas and tables, grant the role what it may read); `drop` removes both.
import pg from 'pg';
import { guardedCatalogViews } from '../../infra/tools/read-only-role-pool.js';

const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface SqlSandbox {
  database: string;
  role: string;
  /** Connects as the sandbox's role. */
  roleUrl: string;
  /** Connects as the superuser (a tool must refuse it). */
  superuserUrl: string;
  drop(): Promise<void>;
}

/**
 * `setup` receives the role's name for its GRANTs. The catalog views the SQL tool refuses are revoked from
 * PUBLIC in the sandbox, as README asks of an operator; `revokeCatalog: false` leaves the defaults.
 */
export async function createSqlSandbox(name: string, setup: (role: string) => string, options: { revokeCatalog?: boolean } = {}): Promise<SqlSandbox> {
  const suffix = `${process.pid}_${Date.now()}`;
  const database = `ragtime_${name}_${suffix}`;
  const role = `ragtime_${name}_reader_${suffix}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`CREATE ROLE ${role} LOGIN`);
  const superuserUrl = `postgres://postgres@127.0.0.1:5432/${database}`;
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    await client.query(setup(role));
    if (options.revokeCatalog !== false) await client.query(`REVOKE SELECT ON ${guardedCatalogViews.join(', ')} FROM PUBLIC`);
  } finally {
    await client.end();
  }
  return {
    database,
    role,
    roleUrl: `postgres://${role}@127.0.0.1:5432/${database}`,
    superuserUrl,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    },
  };
}
