// Builds the tools this deployment offers from configuration: the calculator always, http_fetch when hosts
// are allowed, web_search when a SearxNG-compatible endpoint is set, sql_query when a read-only database is.
import pg from 'pg';
import type { Config } from '../config.js';
import { createCalculatorTool } from '../../domain/tools/calculator-tool.js';
import { createHttpFetchTool } from './http-fetch-tool.js';
import { createSqlTool } from './sql-tool.js';
import { createWebSearchTool } from './web-search-tool.js';
import type { Tool } from '../../domain/tools/tool.js';
import { ToolRegistry } from '../../domain/tools/tool-registry.js';
import { readOnlyRolePool } from './read-only-role-pool.js';

type ToolConfig = Pick<Config,
  | 'TOOL_HTTP_FETCH_ALLOWED_HOSTS' | 'TOOL_HTTP_FETCH_TRUSTED_NETWORKS' | 'TOOL_WEB_SEARCH_URL' | 'TOOL_SQL_DATABASE_URL'
  | 'TOOL_SQL_ALLOWED_TABLES' | 'TOOL_SQL_DESCRIPTION' | 'TOOL_SQL_MAX_ROWS' | 'TOOL_SQL_STATEMENT_TIMEOUT_MS'>;

export interface ConfiguredTools {
  registry: ToolRegistry;
  /** Ends the SQL tool's pool, if there is one. */
  close(): Promise<void>;
}

export function createConfiguredTools(config: ToolConfig): ConfiguredTools {
  const tools: Tool[] = [createCalculatorTool()];
  if (config.TOOL_HTTP_FETCH_ALLOWED_HOSTS.length > 0) {
    tools.push(createHttpFetchTool({ allowedHosts: config.TOOL_HTTP_FETCH_ALLOWED_HOSTS, trustedNetworks: config.TOOL_HTTP_FETCH_TRUSTED_NETWORKS }));
  }
  if (config.TOOL_WEB_SEARCH_URL) tools.push(createWebSearchTool({ endpoint: config.TOOL_WEB_SEARCH_URL }));
  let pool: pg.Pool | undefined;
  if (config.TOOL_SQL_DATABASE_URL) {
    pool = new pg.Pool({ connectionString: config.TOOL_SQL_DATABASE_URL, max: 4, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
    // An idle connection the server ends (restart, terminated backend) is dropped by the pool; without a
    // listener its error would end the worker.
    pool.on('error', () => undefined);
    tools.push(createSqlTool({
      pool: readOnlyRolePool(pool),
      allowedTables: config.TOOL_SQL_ALLOWED_TABLES,
      maxRows: config.TOOL_SQL_MAX_ROWS,
      statementTimeoutMs: config.TOOL_SQL_STATEMENT_TIMEOUT_MS,
      ...(config.TOOL_SQL_DESCRIPTION ? { schemaDescription: config.TOOL_SQL_DESCRIPTION } : {}),
    }));
  }
  return { registry: new ToolRegistry(tools), close: async () => pool?.end() };
}
