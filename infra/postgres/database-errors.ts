// Which Postgres failures a retry can fix. A statement refused for its data (an invalid byte sequence, a value
// out of range, a violated constraint) or its text fails the same way every time; a lost connection, a
// deadlock or a server shutting down may not.

/** SQLSTATE classes that no retry can fix: data exception, integrity constraint, syntax or access rule. */
const permanentClasses = new Set(['22', '23', '42']);

export function isPermanentDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && permanentClasses.has(code.slice(0, 2));
}
