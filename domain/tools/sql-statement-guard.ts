// Decides whether a model-written SQL statement may run, by parsing it as PostgreSQL (pgsql-ast-parser) and
// walking the whole tree, subqueries and CTEs included. Allowed: exactly one read-only query (SELECT, UNION,
// WITH … SELECT, VALUES) that reads only allow-listed, schema-qualified tables, calls only allow-listed
// functions, casts only to plain data types, and takes every value as a $n parameter (no string literals).
// An unqualified name is accepted only where a CTE of that name is in scope at that point of the tree (scoped
// by WITH and subquery, as PostgreSQL resolves it), never because a CTE of that name exists somewhere else.
// Why each rule: schema qualification, because an unqualified name may resolve to pg_catalog; a function
// allow-list, because functions such as query_to_xml, dblink or pg_read_file read outside any table list;
// cast targets, because casts to regclass/regproc probe the catalog; parameters, so that user-provided text
// never becomes SQL. The statement that runs is re-printed from the checked tree, so what was checked is
// exactly what executes. The database role and a read-only transaction are the second line of defence.
import { astVisitor, parse, toSql, type Statement } from 'pgsql-ast-parser';

const queryStatements = new Set(['select', 'union', 'union all', 'with', 'with recursive', 'values']);

export const defaultAllowedFunctions: readonly string[] = [
  'count', 'sum', 'avg', 'min', 'max', 'string_agg', 'array_agg', 'bool_and', 'bool_or', 'every', 'stddev', 'variance',
  'percentile_cont', 'percentile_disc', 'mode', 'row_number', 'rank', 'dense_rank', 'ntile', 'lag', 'lead', 'first_value', 'last_value',
  'coalesce', 'nullif', 'greatest', 'least', 'lower', 'upper', 'initcap', 'length', 'char_length', 'substring', 'substr', 'trim', 'btrim',
  'ltrim', 'rtrim', 'replace', 'concat', 'concat_ws', 'left', 'right', 'position', 'strpos', 'split_part', 'starts_with',
  'abs', 'round', 'floor', 'ceil', 'ceiling', 'trunc', 'mod', 'power', 'sqrt', 'sign',
  'date_trunc', 'date_part', 'age', 'now', 'to_char', 'to_date', 'to_timestamp', 'make_date', 'make_interval',
  'json_build_object', 'jsonb_build_object', 'json_agg', 'jsonb_agg',
];

const allowedCastTypes = new Set([
  'text', 'varchar', 'character varying', 'char', 'int', 'int2', 'int4', 'int8', 'integer', 'smallint', 'bigint', 'numeric', 'decimal',
  'real', 'float4', 'float8', 'double precision', 'boolean', 'bool', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'uuid',
  'json', 'jsonb',
]);

export interface SqlGuardOptions {
  /** "schema.table" or "schema.*" entries. */
  allowedTables: readonly string[];
  allowedFunctions?: readonly string[];
}

export type SqlGuardDecision = { allowed: true; sql: string; parameterCount: number } | { allowed: false; reason: string };

export function checkSqlStatement(sql: string, options: SqlGuardOptions): SqlGuardDecision {
  let statements: Statement[];
  try {
    statements = parse(sql);
  } catch (error) {
    return { allowed: false, reason: `not a statement the guard can parse: ${(error as Error).message.split('\n')[0]}` };
  }
  if (statements.length !== 1) return { allowed: false, reason: `exactly one statement is allowed, got ${statements.length}` };
  const statement = statements[0]!;

  const allowedTables = new Set(options.allowedTables);
  const allowedFunctions = new Set(options.allowedFunctions ?? defaultAllowedFunctions);
  // The CTE names visible at the current point of the walk, innermost last. A name is pushed only where
  // PostgreSQL would resolve to it: a WITH's bindings see the bindings before them, its body sees all of
  // them, a recursive binding sees itself, and nothing outside the WITH (a subquery's CTEs end with it).
  const scopes: Set<string>[] = [];
  const isVisibleCte = (name: string) => scopes.some((scope) => scope.has(name));
  const problems: string[] = [];
  let parameterCount = 0;

  const check = astVisitor((visitor) => ({
    statement: (node) => {
      if (!queryStatements.has(node.type)) problems.push(`${node.type} statements are not allowed (read-only queries only)`);
      visitor.super().statement(node);
    },
    insert: () => void problems.push('insert is not allowed'),
    update: () => void problems.push('update is not allowed'),
    delete: () => void problems.push('delete is not allowed'),
    with: (node) => {
      const scope = new Set<string>();
      scopes.push(scope);
      for (const binding of node.bind) {
        visitor.statement(binding.statement);
        scope.add(binding.alias.name);
      }
      visitor.statement(node.in);
      scopes.pop();
    },
    withRecursive: (node) => {
      scopes.push(new Set([node.alias.name]));
      visitor.statement(node.bind);
      visitor.statement(node.in);
      scopes.pop();
    },
    selection: (node) => {
      if (node.for) problems.push(`SELECT … FOR ${node.for.type.toUpperCase()} is not allowed`);
      visitor.super().selection(node);
    },
    tableRef: (table) => {
      if (!table.schema) {
        if (!isVisibleCte(table.name)) problems.push(`table ${table.name} must be schema-qualified (no CTE of that name is in scope here)`);
      } else if (!allowedTables.has(`${table.schema}.${table.name}`) && !allowedTables.has(`${table.schema}.*`)) {
        problems.push(`table ${table.schema}.${table.name} is not on the allow-list`);
      }
    },
    call: (node) => {
      const name = node.function.schema ? `${node.function.schema}.${node.function.name}` : node.function.name;
      if (!allowedFunctions.has(name)) problems.push(`function ${name} is not allowed`);
      visitor.super().call(node);
    },
    cast: (node) => {
      const to = node.to as { name?: string; schema?: string; kind?: string };
      if (to.kind === 'array' || to.schema || !allowedCastTypes.has(to.name ?? '')) problems.push(`cast to ${to.name ?? to.kind} is not allowed`);
      visitor.super().cast(node);
    },
    constant: (node) => {
      if (node.type === 'string') problems.push('string literals are not allowed: pass values as $1, $2, … parameters');
      visitor.super().constant(node);
    },
    parameter: (node) => {
      parameterCount = Math.max(parameterCount, Number(node.name.slice(1)));
    },
  }));
  check.statement(statement);

  if (problems.length > 0) return { allowed: false, reason: [...new Set(problems)].join('; ') };
  return { allowed: true, sql: toSql.statement(statement), parameterCount };
}
