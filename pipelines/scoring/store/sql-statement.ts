import type { Knex } from 'knex';

/** One statement's text (knex `?` placeholders) and bindings: run alone, or composed into one with others. */
export interface SqlStatement {
  sql: string;
  bindings: Knex.RawBinding[];
}
