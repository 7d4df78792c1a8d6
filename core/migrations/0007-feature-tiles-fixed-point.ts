import type { Knex } from 'knex';

// Tiles keep integers (values scaled by 10^4, EWMA weights by 10^9): integer sums are exact and
// associative, so a tile holds the same numbers whatever order or grouping of batches built it,
// and online, historical and replayed values agree bit for bit.
const columns = ['sum', 'min', 'max', 'last_value', 'ew_sum', 'ew_weight'];

export async function up(db: Knex): Promise<void> {
  for (const c of columns) await db.raw(`ALTER TABLE feature_tiles ALTER COLUMN ?? TYPE bigint USING round(??)::bigint`, [c, c]);
}

export async function down(db: Knex): Promise<void> {
  for (const c of columns) await db.raw(`ALTER TABLE feature_tiles ALTER COLUMN ?? TYPE double precision`, [c]);
}
