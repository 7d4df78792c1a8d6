import type { Knex } from 'knex';

/** One statement's text (knex `?` placeholders) and bindings: run alone, or composed into one with others. */
export interface SqlStatement {
  sql: string;
  bindings: Knex.RawBinding[];
}

/**
 * One statement of several: each of `ctes` (none with a WITH clause of its own, which PostgreSQL
 * allows only at the top level) becomes a named WITH query before `main`. Data-modifying ones run
 * to completion whether or not `main` reads them, and all of it commits or fails as one.
 */
export function withQueries(ctes: [name: string, statement: SqlStatement][], main: SqlStatement): SqlStatement {
  if (ctes.length === 0) return main;
  return {
    sql: `WITH ${ctes.map(([name, s]) => `${name} AS (${s.sql})`).join(',\n')}\n${main.sql}`,
    bindings: [...ctes.flatMap(([, s]) => s.bindings), ...main.bindings],
  };
}

/** Statements without a WITH clause run as one (all or nothing): the last is the main statement. */
export function together(statements: SqlStatement[]): SqlStatement | undefined {
  const main = statements[statements.length - 1];
  return main && withQueries(statements.slice(0, -1).map((s, i) => [`part_${i + 1}`, s]), main);
}

export function runStatement(db: Knex, statement: SqlStatement): Promise<{ rows: unknown[] }> {
  return db.raw(statement.sql, statement.bindings) as unknown as Promise<{ rows: unknown[] }>;
}
