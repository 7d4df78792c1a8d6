import type { Knex } from 'knex';
import type { Client } from 'pg';

interface KnexClient {
  acquireConnection(): Promise<Client>;
  releaseConnection(connection: Client): Promise<void>;
}

/**
 * Runs `use` on the node-postgres connection behind `db`, for what knex cannot send (named
 * prepared statements, COPY): a pooled connection, or inside a transaction the transaction's
 * own, so the statement is part of it.
 */
export async function withConnection<T>(db: Knex, use: (connection: Client) => Promise<T>): Promise<T> {
  const client = (db as unknown as { client: KnexClient }).client;
  const connection = await client.acquireConnection();
  try {
    return await use(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}
