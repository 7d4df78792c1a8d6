import type { Knex } from 'knex';
import type { KeyedTile } from '../fold-into-tiles';

const chunkSize = 5000;

/**
 * Adds tile deltas to feature_tiles. Each column merges as mergeTiles does (integers: exact), so concurrent
 * consumers can add to the same tile; rows are written in the callers' sorted order (ordinality)
 * so two transactions take their row locks in the same order.
 */
export async function upsertTiles(db: Knex, tiles: KeyedTile[]): Promise<void> {
  for (let i = 0; i < tiles.length; i += chunkSize) await upsertChunk(db, tiles.slice(i, i + chunkSize));
}

async function upsertChunk(db: Knex, rows: KeyedTile[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (r: KeyedTile) => T) => rows.map(f);
  await db.raw(
    `INSERT INTO feature_tiles AS t (tenant, entity_type, entity_id, series, tile_start, count, sum, min, max,
                                     last_ts, last_value, ew_sum, ew_weight)
     SELECT tenant, entity_type, entity_id, series, tile_start, count, sum, min, max, last_ts, last_value, ew_sum, ew_weight
     FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
                 ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
          WITH ORDINALITY AS u(tenant, entity_type, entity_id, series, tile_start, count, sum, min, max,
                               last_ts, last_value, ew_sum, ew_weight, ord)
     ORDER BY ord
     ON CONFLICT (tenant, entity_type, entity_id, series, tile_start) DO UPDATE SET
       count = t.count + excluded.count,
       sum = t.sum + excluded.sum,
       min = least(t.min, excluded.min),
       max = greatest(t.max, excluded.max),
       last_value = CASE WHEN (excluded.last_ts, excluded.last_value) > (t.last_ts, t.last_value) THEN excluded.last_value ELSE t.last_value END,
       last_ts = greatest(t.last_ts, excluded.last_ts),
       ew_sum = t.ew_sum + excluded.ew_sum,
       ew_weight = t.ew_weight + excluded.ew_weight`,
    [
      col((r) => r.tenant), col((r) => r.entity), col((r) => r.entityId), col((r) => r.series),
      col((r) => r.tile.tileStart), col((r) => r.tile.count), col((r) => r.tile.sum), col((r) => r.tile.min),
      col((r) => r.tile.max), col((r) => r.tile.lastTs), col((r) => r.tile.lastValue), col((r) => r.tile.ewSum),
      col((r) => r.tile.ewWeight),
    ] as unknown as Knex.RawBinding[],
  );
}
