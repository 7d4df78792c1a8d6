import type { Knex } from 'knex';

// Imports of history commit chunk by chunk; the chunk's checkpoint row is written in the same
// transaction as its legs and feature tiles, so a resumed import skips exactly the chunks that
// committed (feature tiles are additive: replaying a chunk would count its events twice).
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE import_checkpoints (
      tenant      text NOT NULL,
      source      text NOT NULL,
      chunk       text NOT NULL,
      rows        integer NOT NULL,
      finished_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant, source, chunk)
    )`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE import_checkpoints');
}
