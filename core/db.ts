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
    connection: { connectionString: options.url, application_name: 'flowcast' },
    pool: { min: 0, max: options.poolMax ?? 10 },
  });
}
