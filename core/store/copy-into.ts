import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import { from as copyFrom } from 'pg-copy-streams';
import { withConnection } from './with-connection';

/** A COPY text-format field: NULL as \N; backslash, tab, newline and carriage return escaped. */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const s = String(value);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => copyEscapes[c] as string) : s;
}

const copyEscapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Appends rows with COPY … FROM STDIN (text format; `text` is the rows, each field through
 * copyField, tab-separated, one line per row). PostgreSQL inserts them in multi-row batches with
 * no plan or per-row expression, the cheapest way in for rows that need no upsert. Inside a
 * transaction, knex hands out the transaction's connection, so the rows commit with it.
 */
export async function copyInto(db: Knex, table: string, columns: readonly string[], text: string): Promise<void> {
  if (text.length === 0) return;
  const sql = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
  try {
    await withConnection(db, (connection) => pipeline(Readable.from([text]), connection.query(copyFrom(sql))));
  } catch (err) {
    // The statement went around knex: tell knex's listeners of its failure as knex would.
    (db as unknown as { client: { emit(event: 'query-error', err: unknown, query: { sql: string }): void } }).client.emit('query-error', err, { sql });
    throw err;
  }
}
