import type { Knex } from 'knex';

// Rolling-feature state for entity types whose tiles hold about one event each (devices: a
// tracker reporting every 5 s to every minute, device tiles of 15 s): one row per event with
// every signal of the entity in its slot (features/signal-slots.ts, NULL = not observed), kept
// in event time and folded into tiles when read. An append, not an upsert of a tile row: a
// third of the database work a report costs with features (features/entity-storage.ts).
// No unique key: each report is appended once, by the ingest transaction that stores it.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE feature_events (
      tenant      text NOT NULL,
      entity_type text NOT NULL,
      entity_id   text NOT NULL,
      ts          bigint NOT NULL,
      v           double precision[] NOT NULL
    )`);
  await db.raw('CREATE INDEX feature_events_entity_ts ON feature_events (tenant, entity_type, entity_id, ts)');
}

export async function down(db: Knex): Promise<void> {
  // The code before this migration reads device features from tile rows only: dropping events
  // would lose every device feature since, so a database that holds any is not rolled back.
  const held = (await db.raw('SELECT EXISTS (SELECT 1 FROM feature_events) AS held')).rows[0].held as boolean;
  if (held) throw new Error('feature_events holds device features the code before migration 0031 cannot read; not rolling back (docs/FEATURES.md)');
  await db.raw('DROP TABLE feature_events');
}
