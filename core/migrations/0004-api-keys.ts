import type { Knex } from 'knex';

// Only a SHA-256 of the key's secret is kept; the key itself is shown once, at creation.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE api_keys (
      id          text PRIMARY KEY,
      tenant      text NOT NULL,
      secret_hash text NOT NULL,
      scopes      text[] NOT NULL,
      name        text,
      created_at  timestamptz NOT NULL DEFAULT now(),
      revoked_at  timestamptz
    )`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE api_keys');
}
