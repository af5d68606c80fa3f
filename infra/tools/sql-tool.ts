// Read-only SQL over an allow-listed part of a PostgreSQL database. The statement is checked and re-printed
// by sql-statement-guard.ts, wrapped to return at most `maxRows` + 1 rows (to tell the model it was cut),
// and run in a READ ONLY transaction with a statement timeout and search_path reduced to pg_catalog, on a
// pool that connects as a role with SELECT grants on the allowed tables only. Values travel as parameters.
import type { Pool, PoolClient } from 'pg';
import { checkSqlStatement } from '../../domain/tools/sql-statement-guard.js';
import { acceptsSqlQuery, sqlQueryArguments } from '../../domain/tools/tool-arguments.js';
import { parametersOf, parseArguments, ToolError, type Tool } from '../../domain/tools/tool.js';

export interface SqlToolOptions {
  /** A pool that connects as the read-only role. The tool never ends it; the composition root does. */
  pool: Pick<Pool, 'connect'>;
  /** "schema.table" or "schema.*" entries the statements may read. */
  allowedTables: readonly string[];
  allowedFunctions?: readonly string[];
  maxRows?: number;
  statementTimeoutMs?: number;
  /** Longest result text handed to the model. */
  maxContentChars?: number;
  /** What the data is about, shown to the model so it can write good queries (table and column names). */
  schemaDescription?: string;
}

const name = 'sql_query';

export function createSqlTool(options: SqlToolOptions): Tool {
  const maxRows = options.maxRows ?? 100;
  const statementTimeoutMs = Math.max(1, Math.floor(options.statementTimeoutMs ?? 5000));
  const maxContentChars = options.maxContentChars ?? 20_000;
  const policy = { allowedTables: options.allowedTables, allowedFunctions: options.allowedFunctions };

  async function execute(client: PoolClient, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    await client.query('BEGIN READ ONLY');
    try {
      await client.query(`SET LOCAL statement_timeout = ${statementTimeoutMs}`);
      // pg_temp last: otherwise PostgreSQL searches the session's temporary schema before pg_catalog.
      await client.query('SET LOCAL search_path = pg_catalog, pg_temp');
      const result = await client.query({ text: `SELECT * FROM (\n${sql}\n) AS tool_query LIMIT ${maxRows + 1}`, values: params });
      return result.rows as Record<string, unknown>[];
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  }

  return {
    name,
    description: [
      `Runs one read-only SQL query (PostgreSQL) and returns up to ${maxRows} rows as JSON.`,
      `Readable tables: ${options.allowedTables.join(', ')}. Qualify every table with its schema and pass every value as a $n parameter.`,
      options.schemaDescription ?? '',
    ].join(' ').trim(),
    parameters: parametersOf(sqlQueryArguments),
    async run(args, context) {
      const { sql, params } = parseArguments(name, sqlQueryArguments, args);
      const decision = checkSqlStatement(sql, policy);
      if (!decision.allowed) throw new ToolError(name, 'refused', decision.reason, false);
      if (decision.parameterCount !== params.length) {
        throw new ToolError(name, 'invalid_arguments', `the statement uses ${decision.parameterCount} parameter(s) but ${params.length} were given`, false);
      }
      context.signal.throwIfAborted();
      const client = await options.pool.connect().catch((error: unknown) => {
        if (error instanceof ToolError) throw error;
        throw new ToolError(name, 'upstream_failed', 'cannot connect to the database', true, { cause: error });
      });
      let broken: Error | undefined;
      try {
        const rows = await abortable(execute(client, decision.sql, params), context.signal);
        const shown = rows.slice(0, maxRows);
        const header = rows.length > maxRows ? `${maxRows} rows shown (more exist; refine the query)` : `${rows.length} row(s)`;
        let content = `${header}\n${JSON.stringify(shown)}`;
        if (content.length > maxContentChars) content = `${content.slice(0, maxContentChars)}\n… (truncated)`;
        return { content, source: { tool: name, title: `SQL: ${decision.sql.slice(0, 200)}` } };
      } catch (error) {
        broken = error as Error;
        if (context.signal.aborted) throw error;
        const code = (error as { code?: string }).code;
        if (code === '57014') throw new ToolError(name, 'timeout', `the query ran longer than ${statementTimeoutMs} ms`, false, { cause: error });
        if (code === '42501' || code === '25006') throw new ToolError(name, 'refused', (error as Error).message, false, { cause: error });
        if (code?.startsWith('42') || code?.startsWith('22')) throw new ToolError(name, 'invalid_arguments', (error as Error).message, false, { cause: error });
        throw new ToolError(name, 'upstream_failed', (error as Error).message, true, { cause: error });
      } finally {
        // A connection whose query was abandoned or failed oddly is destroyed rather than reused.
        client.release(broken && (context.signal.aborted || !(broken as { code?: string }).code) ? broken : undefined);
      }
    },
    accepts: (args) => acceptsSqlQuery(args, policy),
  };
}

/** Stops waiting when the signal aborts; the query itself ends by its statement timeout. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
