import type { Knex } from 'knex';

interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[]; rowMode: 'array' }): Promise<{ rows: unknown[][] }>;
}

interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

const names = new Map<string, string>();

/**
 * Runs a hot statement (reads, the tile upsert) ($1… placeholders) as a named prepared statement on the pooled
 * connection, rows as arrays: Postgres parses and plans it once per connection, and knex's
 * per-call binding rewrite is skipped. Inside a transaction, knex hands out its connection.
 */
export async function query(db: Knex, text: string, values: unknown[]): Promise<{ rows: unknown[][] }> {
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `fc_features_${names.size}`));
  const client = (db as unknown as { client: KnexClient }).client;
  const connection = await client.acquireConnection();
  try {
    return await connection.query({ name, text, values, rowMode: 'array' });
  } finally {
    await client.releaseConnection(connection);
  }
}
