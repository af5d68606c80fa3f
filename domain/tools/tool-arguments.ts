// What the tools that reach the outside world (http_fetch, web_search, sql_query) accept as arguments, and
// the checks a call must pass before any I/O: pure, so planners can drop calls that would be refused and the
// adapters in infra/tools validate with the very same schemas.
import { z } from 'zod';
import { maxUrlLength } from '../limits.js';
import { isHostAllowed, type AllowedHost } from './host-allow-list.js';
import { checkSqlStatement, type SqlGuardOptions } from './sql-statement-guard.js';

export const httpFetchArguments = z.object({
  url: z.string().url().max(maxUrlLength).describe('Absolute http(s) URL on an allowed host'),
});

/** Whether an http_fetch call names an http(s) URL without credentials on an allowed host. */
export function acceptsHttpFetch(args: unknown, allowed: readonly AllowedHost[]): boolean {
  const parsed = httpFetchArguments.safeParse(args);
  if (!parsed.success) return false;
  const url = new URL(parsed.data.url);
  return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && isHostAllowed(url, allowed);
}

export const webSearchArguments = z.object({
  query: z.string().min(1).max(400).describe('What to search the web for'),
});

const sqlParameterValue = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);

export const sqlQueryArguments = z.object({
  sql: z.string().min(1).max(10_000).describe('One read-only SELECT on schema-qualified tables; every value as $1, $2, … (no string literals)'),
  params: z.array(sqlParameterValue).max(100).default([]).describe('Values for $1, $2, … in order'),
});

/** Whether a sql_query call passes the statement guard with as many parameters as the statement uses. */
export function acceptsSqlQuery(args: unknown, policy: SqlGuardOptions): boolean {
  const parsed = sqlQueryArguments.safeParse(args);
  if (!parsed.success) return false;
  const decision = checkSqlStatement(parsed.data.sql, policy);
  return decision.allowed && decision.parameterCount === parsed.data.params.length;
}
