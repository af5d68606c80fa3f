// The SQL tool's statements already run in READ ONLY transactions on a checked statement; the role is the
// last line. A superuser or a role that bypasses row-level security could undo what the grants promise,
// so the first connection checks the role and the tool refuses to run as one.
import type { Pool, PoolClient } from 'pg';
import { ToolError } from '../../domain/tools/tool.js';

export function readOnlyRolePool(pool: Pool): Pick<Pool, 'connect'> {
  let verdict: Promise<string | undefined> | undefined;
  const check = async (client: PoolClient): Promise<string | undefined> => {
    const { rows } = await client.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean }>(
      'SELECT rolname, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = current_user',
    );
    const role = rows[0];
    if (!role) return 'the connecting role cannot be found';
    if (role.rolsuper || role.rolbypassrls || role.rolcreaterole) return `role ${role.rolname} is too powerful for the SQL tool (superuser, BYPASSRLS or CREATEROLE)`;
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
