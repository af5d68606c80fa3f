// The SQL tool's statements already run in READ ONLY transactions on a checked statement; the role is the
// last line. A superuser or a role that bypasses row-level security could undo what the grants promise,
// so the first connection checks the role and the tool refuses to run as one. Catalog views that list other
// roles, sessions (with their query text), tables or settings are granted to PUBLIC by default; the guard
// refuses them, and as defence in depth the tool also refuses a role that could still read them (an
// operator revokes them from PUBLIC in the tool's database, see README). search_path cannot hide
// pg_catalog (PostgreSQL always searches it), so privileges are the line that holds.
import type { Pool, PoolClient } from 'pg';
import { ToolError } from '../../domain/tools/tool.js';

export const guardedCatalogViews: readonly string[] = [
  'pg_catalog.pg_stat_activity', 'pg_catalog.pg_user', 'pg_catalog.pg_tables', 'pg_catalog.pg_settings', 'pg_catalog.pg_views',
];

export function readOnlyRolePool(pool: Pool): Pick<Pool, 'connect'> {
  let verdict: Promise<string | undefined> | undefined;
  const check = async (client: PoolClient): Promise<string | undefined> => {
    const { rows } = await client.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean }>(
      'SELECT rolname, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = current_user',
    );
    const role = rows[0];
    if (!role) return 'the connecting role cannot be found';
    if (role.rolsuper || role.rolbypassrls || role.rolcreaterole) return `role ${role.rolname} is too powerful for the SQL tool (superuser, BYPASSRLS or CREATEROLE)`;
    const readable = await client.query<{ view: string }>(
      "SELECT view FROM unnest($1::text[]) AS view WHERE has_table_privilege(view, 'SELECT')", [guardedCatalogViews],
    );
    if (readable.rows.length > 0) {
      const views = readable.rows.map((row) => row.view).join(', ');
      return `role ${role.rolname} can read ${views}; revoke them in the tool's database (REVOKE SELECT ON ${views} FROM PUBLIC)`;
    }
    return undefined;
  };
  return {
    async connect(): Promise<PoolClient> {
      const client = await pool.connect();
      try {
        verdict ??= check(client).catch((error: unknown) => {
          verdict = undefined;
          throw error;
        });
        const problem = await verdict;
        if (problem) throw new ToolError('sql_query', 'refused', problem, false);
        return client;
      } catch (error) {
        client.release();
        throw error;
      }
    },
  } as Pick<Pool, 'connect'>;
}
