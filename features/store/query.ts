import type { Knex } from 'knex';
import { withConnection } from '../../core/store/with-connection';

const names = new Map<string, string>();

/**
 * Runs a hot statement (reads, the tile upsert) ($1… placeholders) as a named prepared statement on the pooled
 * connection, rows as arrays: Postgres parses and plans it once per connection, and knex's
 * per-call binding rewrite is skipped. Inside a transaction, knex hands out its connection.
 */
export async function query(db: Knex, text: string, values: unknown[]): Promise<{ rows: unknown[][] }> {
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `fc_features_${names.size}`));
  return withConnection(db, (connection) => connection.query({ name, text, values, rowMode: 'array' }));
}
