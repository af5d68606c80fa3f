import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSqlStatement } from '../../domain/tools/sql-statement-guard.js';
import { createSqlTool } from '../../infra/tools/sql-tool.js';
import { ToolError, type Tool } from '../../domain/tools/tool.js';
import { createSqlSandbox, type SqlSandbox } from '../support/sql-sandbox.js';

// A database and a login role of its own, created here and dropped afterwards. The role may read
// app.orders, and also hr.salaries, so that the refusal of hr.salaries below is the tool's doing, not a
// missing grant.
let sandbox: SqlSandbox;
let pool: pg.Pool;
let tool: Tool;

beforeAll(async () => {
  sandbox = await createSqlSandbox('sql_tool', (role) => `
    CREATE SCHEMA app; CREATE SCHEMA hr;
    CREATE TABLE app.orders (id int PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL);
    INSERT INTO app.orders SELECT n, 'customer ' || (n % 5), n * 10 FROM generate_series(1, 40) AS n;
    CREATE TABLE hr.salaries (employee text, salary numeric);
    INSERT INTO hr.salaries VALUES ('alice', 100000);
    GRANT USAGE ON SCHEMA app, hr TO ${role};
    GRANT SELECT ON app.orders, hr.salaries TO ${role};
  `);
  pool = new pg.Pool({ connectionString: sandbox.roleUrl, max: 2 });
  // DROP DATABASE … WITH (FORCE) in afterAll may end a connection that is still closing.
  pool.on('error', () => undefined);
  tool = createSqlTool({ pool, allowedTables: ['app.orders'], maxRows: 10, statementTimeoutMs: 200 });
});

afterAll(async () => {
  await pool?.end();
  await sandbox?.drop();
});

const context = () => ({ signal: new AbortController().signal, tenant: 'acme' });

async function failure(sql: string, params: unknown[] = []): Promise<ToolError> {
  const error = await tool.run({ sql, params }, context()).then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ToolError);
  return error as ToolError;
}

describe('sql_query tool', () => {
  it('answers a parameterised query on an allowed table', async () => {
    const result = await tool.run({ sql: 'SELECT customer, sum(total) AS spent FROM app.orders WHERE customer = $1 GROUP BY customer', params: ['customer 2'] }, context());
    expect(result.content).toBe('1 row(s)\n[{"customer":"customer 2","spent":"1560"}]');
    expect(result.source.tool).toBe('sql_query');
  });

  it('cuts results at the row limit and says so', async () => {
    const result = await tool.run({ sql: 'SELECT id FROM app.orders ORDER BY id' }, context());
    expect(result.content.startsWith('10 rows shown (more exist')).toBe(true);
    expect(JSON.parse(result.content.split('\n')[1]!)).toHaveLength(10);
  });

  it.each([
    ['an insert', 'INSERT INTO app.orders VALUES (100, $1, 1)', ['x']],
    ['an update', 'UPDATE app.orders SET total = 0', []],
    ['a delete', 'DELETE FROM app.orders', []],
    ['a drop', 'DROP TABLE app.orders', []],
    ['a second statement', 'SELECT 1; DROP TABLE app.orders', []],
    ['a data-modifying CTE', 'WITH gone AS (DELETE FROM app.orders RETURNING id) SELECT count(*) FROM gone', []],
    ['a row lock', 'SELECT id FROM app.orders FOR UPDATE', []],
    ['a sequence bump', 'SELECT nextval($1)', ['app.orders_id_seq']],
    ['a settings change', 'SELECT set_config($1, $2, false)', ['statement_timeout', '0']],
  ])('refuses %s', async (_label, sql, params) => {
    const error = await failure(sql, params);
    expect(error.code).toBe('refused');
  });

  it.each([
    ['a table off the allow-list', 'SELECT * FROM hr.salaries'],
    ['the same table in a subquery', 'SELECT id FROM app.orders WHERE total > (SELECT max(salary) FROM hr.salaries)'],
    ['the same table in a CTE', 'WITH s AS (SELECT * FROM hr.salaries) SELECT * FROM s'],
    ['an unqualified name resolving through the search path', 'SELECT * FROM pg_user'],
    ['the system catalog', 'SELECT * FROM pg_catalog.pg_authid'],
    ['information_schema', 'SELECT * FROM information_schema.tables'],
    ['a function that runs SQL itself', 'SELECT query_to_xml($1, true, true, $2)'],
    ['a file read', 'SELECT pg_read_file($1)'],
    ['a catalog probe by cast', 'SELECT $1::regclass'],
    ['a string literal instead of a parameter', "SELECT * FROM app.orders WHERE customer = 'customer 1'"],
  ])('refuses reading outside the allow-list: %s', async (_label, sql) => {
    const params = sql.includes('$2') ? ['a', 'b'] : sql.includes('$1') ? ['a'] : [];
    const error = await failure(sql, params);
    expect(error.code).toBe('refused');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('cannot parse');
  });

  it('the role could read hr.salaries directly, so the refusal above is the guard', async () => {
    const direct = await pool.query('SELECT count(*)::int AS n FROM hr.salaries');
    expect(direct.rows[0].n).toBe(1);
  });

  it('requires as many parameters as the statement uses', async () => {
    const error = await failure('SELECT id FROM app.orders WHERE id = $1 OR id = $2', [1]);
    expect(error.code).toBe('invalid_arguments');
  });

  it('stops a query at the statement timeout', async () => {
    const error = await failure('SELECT count(*) FROM app.orders a, app.orders b, app.orders c, app.orders d, app.orders e');
    expect(error.code).toBe('timeout');
  });

  it('refuses row locks in the guard itself, not only through the read-only transaction', () => {
    expect(checkSqlStatement('SELECT id FROM app.orders FOR UPDATE', { allowedTables: ['app.orders'] })).toEqual({ allowed: false, reason: 'SELECT … FOR UPDATE is not allowed' });
    expect(checkSqlStatement('SELECT * FROM (SELECT id FROM app.orders FOR SHARE) AS locked', { allowedTables: ['app.orders'] }).allowed).toBe(false);
  });

  it('runs exactly the statement it checked', () => {
    const decision = checkSqlStatement('select id from app.orders where id = $1 -- ) union select * from hr.salaries', { allowedTables: ['app.orders'] });
    expect(decision.allowed).toBe(true);
    expect(decision.allowed && decision.sql).not.toContain('salaries');
  });
});
