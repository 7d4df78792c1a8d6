import knex, { type Knex } from 'knex';
import pg from 'pg';

export type Db = Knex;

// int8 (bigint, count(*)) as JavaScript numbers: our counts and ids stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export interface DbOptions {
  /** PostgreSQL connection string. */
  url: string;
  /** Most pooled connections; default 10. */
  poolMax?: number;
}

export function createDb(options: DbOptions): Db {
  return knex({
    client: 'pg',
    // Doubles printed as the shortest text that reads back the same (PostgreSQL 12+ with any value
    // above 0; set here so no role or database default can make feature reads inexact).
    connection: { connectionString: options.url, application_name: 'flowcast', options: '-c extra_float_digits=1' },
    pool: { min: 0, max: options.poolMax ?? 10 },
  });
}
