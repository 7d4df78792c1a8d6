import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import { ImportError } from '../../core/errors';

export interface TableRow {
  /** CSV: the line number in the file (header = line 1); Parquet: the row number (1-based). */
  line: number;
  values: (string | null)[];
}

export interface Table {
  columns: string[];
  rows: TableRow[];
  /** Lines DuckDB could not split into the header's columns. */
  malformed: { line: number; reason: string }[];
  unit: 'line' | 'row';
}

const quote = (p: string) => `'${p.replace(/'/g, "''")}'`;

/** Reads a CSV (header row) or Parquet file with DuckDB, every value as text. */
export async function readTable(file: string): Promise<Table> {
  await access(file).catch(() => {
    throw new ImportError(`cannot read ${file}`);
  });
  const parquet = /\.parquet$/i.test(file);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(parquet
      ? `CREATE TABLE t AS SELECT COLUMNS(*)::VARCHAR FROM read_parquet(${quote(file)})`
      : `CREATE TABLE t AS SELECT * FROM read_csv(${quote(file)}, header = true, all_varchar = true, ignore_errors = true, store_rejects = true)`);
    const result = await conn.runAndReadAll('SELECT * FROM t');
    const columns = result.columnNames();
    const values = result.getRowsJS().map((r) => r.map((v) => (v === null || v === undefined ? null : String(v))));
    if (parquet) return { columns, rows: values.map((v, i) => ({ line: i + 1, values: v })), malformed: [], unit: 'row' };
    // One entry per line (DuckDB may list a short line once per missing column).
    const rejects = (await conn.runAndReadAll(`SELECT line, string_agg(DISTINCT error_message, '; ') FROM reject_errors GROUP BY line ORDER BY line`)).getRowsJS()
      .map((r) => ({ line: Number(r[0]), reason: String(r[1]) }));
    const lines = await dataLines(file, new Set(rejects.map((r) => r.line)));
    return { columns, rows: values.map((v, i) => ({ line: lines[i] ?? -1, values: v })), malformed: rejects, unit: 'line' };
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError(`cannot read ${file}: ${(err as Error).message}`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Line numbers of the rows DuckDB returned, in order: every non-blank line after the header
 * that it did not reject. (A quoted value spanning lines would shift them; such files are rare
 * in shipment exports.)
 */
async function dataLines(file: string, rejected: Set<number>): Promise<number[]> {
  const out: number[] = [];
  let n = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    n++;
    if (n > 1 && text.trim() !== '' && !rejected.has(n)) out.push(n);
  }
  return out;
}
