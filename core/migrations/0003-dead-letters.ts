import type { Knex } from 'knex';

// (source, message_id) makes redelivery of the same bad message land once.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE dead_letters (
      id          bigserial PRIMARY KEY,
      tenant      text,
      source      text NOT NULL,
      message_id  text,
      reason      text NOT NULL,
      field_path  text,
      message     text NOT NULL,
      raw         bytea NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source, message_id)
    )`);
  await db.raw('CREATE INDEX dead_letters_received_idx ON dead_letters (received_at)');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE dead_letters');
}
