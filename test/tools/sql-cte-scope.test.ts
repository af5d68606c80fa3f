// The SQL guard resolves every unqualified name against the CTEs in scope at that point of the statement
// (as PostgreSQL does), so a CTE named like a catalog view in one subquery does not make the real view
// readable elsewhere; and, behind the guard, the tool's role cannot read those views at all. Real Postgres.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSqlStatement } from '../../domain/tools/sql-statement-guard.js';
import { createSqlTool } from '../../infra/tools/sql-tool.js';
import { ToolError, type Tool } from '../../domain/tools/tool.js';
import { readOnlyRolePool } from '../../infra/tools/read-only-role-pool.js';
import { createSqlSandbox, type SqlSandbox } from '../support/sql-sandbox.js';

const setup = (role: string) => `
  CREATE SCHEMA app;
  CREATE TABLE app.orders (id int PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL);
  INSERT INTO app.orders SELECT n, 'customer ' || (n % 5), n * 10 FROM generate_series(1, 40) AS n;
  GRANT USAGE ON SCHEMA app TO ${role};
  GRANT SELECT ON app.orders TO ${role};
`;

let sandbox: SqlSandbox;
let defaults: SqlSandbox;
let pool: pg.Pool;
let superuser: pg.Pool;
let tool: Tool;
const context = () => ({ signal: new AbortController().signal, tenant: 'acme' });

beforeAll(async () => {
  [sandbox, defaults] = await Promise.all([createSqlSandbox('cte_scope', setup), createSqlSandbox('cte_defaults', setup, { revokeCatalog: false })]);
  pool = new pg.Pool({ connectionString: sandbox.roleUrl, max: 2 });
  superuser = new pg.Pool({ connectionString: sandbox.superuserUrl, max: 1 });
  for (const each of [pool, superuser]) each.on('error', () => undefined);
  tool = createSqlTool({ pool: readOnlyRolePool(pool), allowedTables: ['app.orders'], maxRows: 50, statementTimeoutMs: 2000 });
});

afterAll(async () => {
  await pool?.end();
  await superuser?.end();
  await sandbox?.drop();
  await defaults?.drop();
});

// Each reads a real catalog view through a name that a CTE elsewhere in the statement shadows.
const escapes: [string, string][] = [
  ['the query from the issue', 'SELECT a.x, u.usename FROM (WITH pg_user AS (SELECT 1 AS x) SELECT x FROM pg_user) a CROSS JOIN pg_user u'],
  ['pg_tables beside a CTE in a subquery', 'SELECT t.tablename FROM (WITH pg_tables AS (SELECT 1 AS x) SELECT x FROM pg_tables) a CROSS JOIN pg_tables t'],
  ['pg_stat_activity in an EXISTS next to a CTE in IN', 'SELECT id FROM app.orders WHERE id IN (WITH pg_stat_activity AS (SELECT 1 AS id) SELECT id FROM pg_stat_activity) AND EXISTS (SELECT 1 FROM pg_stat_activity)'],
  ['nested two subqueries deep', 'SELECT o.x, u.usename FROM (SELECT * FROM (SELECT * FROM (WITH pg_user AS (SELECT 1 AS x) SELECT x FROM pg_user) i) m) o, pg_user u'],
  ['a recursive CTE of the same name', 'SELECT r.n, u.usename FROM (WITH RECURSIVE pg_user(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM pg_user WHERE n < 2) SELECT n FROM pg_user) r CROSS JOIN pg_user u'],
  ['a lateral subquery', 'SELECT o.id, s.pid FROM app.orders o CROSS JOIN LATERAL (WITH pg_stat_activity AS (SELECT o.id AS x) SELECT x FROM pg_stat_activity) l CROSS JOIN pg_stat_activity s'],
  ['an aliased reference', 'SELECT p.usename FROM (WITH pg_user AS (SELECT 1 AS x) SELECT x FROM pg_user AS p) a, pg_user AS p'],
  ['a subquery aliased like the view', 'SELECT u.usename FROM (SELECT 1 AS x) AS pg_user CROSS JOIN pg_user u'],
  ['a CTE reading the view it shadows', 'WITH pg_user AS (SELECT usename FROM pg_user) SELECT * FROM pg_user'],
  ['a CTE reading a sibling defined after it', 'WITH a AS (SELECT tablename FROM pg_tables), pg_tables AS (SELECT 1 AS x) SELECT * FROM a'],
  ['a CTE in one union branch, the view in the other', 'SELECT x::text FROM (WITH pg_user AS (SELECT 1 AS x) SELECT x FROM pg_user) a UNION ALL SELECT usename::text FROM pg_user'],
];

describe('CTE scope in the SQL guard', () => {
  it.each(escapes)('refuses %s', async (_label, sql) => {
    const decision = checkSqlStatement(sql, { allowedTables: ['app.orders'] });
    expect(decision).toMatchObject({ allowed: false, reason: expect.stringMatching(/must be schema-qualified/) });
    const error = await tool.run({ sql }, context()).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).code).toBe('refused');
  });

  it('refuses statements that really read the catalog (the superuser runs them)', async () => {
    for (const [, sql] of escapes) {
      const { rows } = await superuser.query(sql);
      expect(rows.length, sql).toBeGreaterThan(0);
    }
  });

  it.each([
    ['a CTE read in the body', 'WITH big AS (SELECT id, total FROM app.orders WHERE total > $1) SELECT count(*)::int AS n FROM big', [300], 10],
    ['an outer CTE read from a nested subquery', 'WITH c AS (SELECT id FROM app.orders) SELECT count(*)::int AS n FROM (SELECT * FROM (SELECT id FROM c) i) o', [], 40],
    ['a recursive CTE', 'WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $1) SELECT count(*)::int AS n FROM seq', [7], 7],
    ['a CTE reading an earlier sibling', 'WITH a AS (SELECT id FROM app.orders), b AS (SELECT id FROM a WHERE id <= $1) SELECT count(*)::int AS n FROM b', [5], 5],
    ['a CTE read in a lateral subquery', 'WITH c AS (SELECT id FROM app.orders) SELECT count(*)::int AS n FROM app.orders o CROSS JOIN LATERAL (SELECT id FROM c WHERE c.id = o.id) l', [], 40],
    ['a CTE inside a subquery, read there', 'SELECT count(*)::int AS n FROM (WITH c AS (SELECT id FROM app.orders) SELECT id FROM c) s', [], 40],
  ])('still runs %s', async (_label, sql, params, expected) => {
    const result = await tool.run({ sql, params }, context());
    expect(result.content).toBe(`1 row(s)\n[{"n":${expected}}]`);
  });
});

describe('the SQL tool role, behind the guard', () => {
  it('cannot read the catalog views even when a statement gets past the guard', async () => {
    for (const view of ['pg_user', 'pg_tables', 'pg_stat_activity']) {
      await expect(pool.query(`SELECT * FROM ${view}`)).rejects.toThrow(/permission denied/);
    }
  });

  it('is refused while it can still read them', async () => {
    const open = new pg.Pool({ connectionString: defaults.roleUrl, max: 1 });
    open.on('error', () => undefined);
    try {
      const openTool = createSqlTool({ pool: readOnlyRolePool(open), allowedTables: ['app.orders'] });
      const error = await openTool.run({ sql: 'SELECT count(*) FROM app.orders' }, context()).then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(ToolError);
      expect((error as ToolError).message).toMatch(/can read pg_catalog\.pg_stat_activity, pg_catalog\.pg_user.*REVOKE SELECT/);
    } finally {
      await open.end();
    }
  });
});
