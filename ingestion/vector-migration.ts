// The records of a vector store migration (copying points from one store to another): locations, counts and
// a cursor, never vectors. Pure types and checks, safe for workflow code.
import { isIdentifier } from '../domain/limits.js';

export interface MigrateVectorsInput {
  migrationId: string;
  /** Only this tenant's points; every tenant's when absent. */
  tenantId?: string;
  /** Store locations as VectorIndex.location writes them: `embedded:/abs/dir` or `qdrant:http://host:6333`. */
  from: string;
  to: string;
  /** Points per page (default migrationPageSize). */
  pageSize?: number;
  /** Pages one copy activity copies (its progress reaches the workflow when it returns). */
  pagesPerCall?: number;
  /** Pages copied per workflow run before it continues as new (keeps the history small). */
  pagesPerRun?: number;
  /** Where a continued run resumes; set by the workflow itself. */
  resume?: { cursor: string; progress: MigrationProgress };
}

export interface MigrationProgress {
  migrationId: string;
  tenantId?: string;
  from: string;
  to: string;
  status: 'counting' | 'copying' | 'recording' | 'completed' | 'failed';
  /** Points in the source when the migration started. */
  total: number;
  /** Points copied so far (a page retried after a crash is counted once). */
  copied: number;
}

/** Points per page read from the source and written to the target. */
export const migrationPageSize = 256;

const locationPattern = /^(embedded:\/.+|qdrant:https?:\/\/\S+)$/;

export function migrationWorkflowId(migrationId: string): string {
  return `vectors-migrate-${migrationId}`;
}

export function migrationProblems(input: MigrateVectorsInput): string[] {
  const problems: string[] = [];
  if (!isIdentifier(input.migrationId)) problems.push('migrationId must be 1-64 letters, digits, _ or -');
  if (input.tenantId !== undefined && !isIdentifier(input.tenantId)) problems.push('tenantId must be 1-64 letters, digits, _ or -');
  for (const [name, location] of [['from', input.from], ['to', input.to]] as const) {
    if (typeof location !== 'string' || !locationPattern.test(location)) problems.push(`${name} must be embedded:/absolute/dir or qdrant:http(s)://host`);
  }
  if (problems.length === 0 && input.from === input.to) problems.push('from and to are the same store');
  if (input.pageSize !== undefined && (!Number.isInteger(input.pageSize) || input.pageSize < 1 || input.pageSize > 1000)) problems.push('pageSize must be an integer from 1 to 1000');
  if (input.pagesPerCall !== undefined && (!Number.isInteger(input.pagesPerCall) || input.pagesPerCall < 1)) problems.push('pagesPerCall must be a positive integer');
  if (input.pagesPerRun !== undefined && (!Number.isInteger(input.pagesPerRun) || input.pagesPerRun < 1)) problems.push('pagesPerRun must be a positive integer');
  return problems;
}
