import type { Knex } from 'knex';

// Retention of rolling-feature state (features/store/prune-feature-state.ts): BRIN indexes find
// what is older than a cut-off without a btree on time (tiles and events arrive roughly in time
// order, and a BRIN index costs ingest next to nothing), and one row records the horizon before
// which state was deleted, so point-in-time reads that would reach past it refuse instead of
// returning values computed on part of a window.
export async function up(db: Knex): Promise<void> {
  await db.raw('CREATE INDEX feature_entity_tiles_start_brin ON feature_entity_tiles USING brin (tile_start)');
  await db.raw('CREATE INDEX feature_events_ts_brin ON feature_events USING brin (ts)');
  await db.raw(`
    CREATE TABLE feature_retention (
      only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
      pruned_before bigint NOT NULL
    )`);
}

export async function down(db: Knex): Promise<void> {
  // Without the horizon, the code before this migration would read windows that reach past it as
  // if nothing had been deleted.
  const pruned = (await db.raw('SELECT EXISTS (SELECT 1 FROM feature_retention) AS pruned')).rows[0].pruned as boolean;
  if (pruned) throw new Error('feature state has been pruned (feature_retention); the code before migration 0032 would read cut windows as whole; not rolling back (docs/FEATURES.md)');
  await db.raw('DROP TABLE feature_retention');
  await db.raw('DROP INDEX feature_events_ts_brin');
  await db.raw('DROP INDEX feature_entity_tiles_start_brin');
}
