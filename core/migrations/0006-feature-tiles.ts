import type { Knex } from 'knex';

// Rolling-feature state: one row per (entity, series, tile). Every column merges commutatively
// (sums, least, greatest, last by event time), so any number of consumers can upsert the same
// tile in any order and reach the same row. Times are epoch milliseconds (bigint): exact, cheap
// to compare, and the same numbers the feature code computes with.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE feature_tiles (
      tenant      text NOT NULL,
      entity_type text NOT NULL,
      entity_id   text NOT NULL,
      series      text NOT NULL,
      tile_start  bigint NOT NULL,
      count       bigint NOT NULL,
      sum         double precision NOT NULL,
      min         double precision NOT NULL,
      max         double precision NOT NULL,
      last_ts     bigint NOT NULL,
      last_value  double precision NOT NULL,
      ew_sum      double precision NOT NULL,
      ew_weight   double precision NOT NULL,
      PRIMARY KEY (tenant, entity_type, entity_id, series, tile_start)
    ) WITH (fillfactor = 80)`);
  // Each consumer process advances its own row (no hot row shared by all consumers); the
  // tenant's watermark is the greatest of them.
  await db.raw(`
    CREATE TABLE feature_watermarks (
      tenant     text NOT NULL,
      instance   text NOT NULL,
      max_ts     bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant, instance)
    )`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE feature_watermarks');
  await db.raw('DROP TABLE feature_tiles');
}
