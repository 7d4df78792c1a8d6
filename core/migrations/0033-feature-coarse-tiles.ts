import type { Knex } from 'knex';

/**
 * Coarser tiles for the middle of long windows (features/window-pieces.ts): hub and lane hour
 * tiles, network quarter-hour tiles. Ingest writes them from now on; this builds them for the
 * history already stored, from the finer tiles that hold the same events (hub and lane quarter
 * hours, network minutes). Every integer merges exactly except the EWMA sums, which are moved from
 * each fine tile's start to the coarse tile's start (rounded once more than ingest's own). Stop
 * every writer running the code before this migration first (flowcast ingest, the importers): a
 * report one stores after the copy would be in the fine tiles and not the coarse ones. A coarse
 * row that exists already is replaced: the coarse tiles are a function of the fine ones.
 */
const builds = [
  // Slot counts and half-lives are signal-slots.ts as of this migration (hub slot 4 is arrival_delay_min~1h).
  { entity: 'hub', from: 900_000, to: 3_600_000, halfLivesMs: [0, 0, 0, 0, 3_600_000] },
  { entity: 'lane', from: 900_000, to: 3_600_000, halfLivesMs: [0, 0] },
  { entity: 'network', from: 60_000, to: 900_000, halfLivesMs: [0] },
];

// Per fine row and non-empty slot k its 8 integers, aggregated per coarse tile and slot as
// feature_tile_merge merges (last by (last_ts, last_value)), the EWMA sums decayed to the coarse
// start; then each coarse row's slots in order, empty ones zero.
const buildSql = (b: (typeof builds)[number]): string => `
  WITH fine AS (
    SELECT t.tenant, t.entity_type, t.entity_id, t.tile_start, t.tile_start / ${b.to} * ${b.to} AS start, k,
           t.v[8 * k + 1] AS n, t.v[8 * k + 2] AS s, t.v[8 * k + 3] AS lo, t.v[8 * k + 4] AS hi,
           t.v[8 * k + 5] AS last_ts, t.v[8 * k + 6] AS last_value, t.v[8 * k + 7] AS ew_sum, t.v[8 * k + 8] AS ew_weight,
           ('{${b.halfLivesMs.map((h) => (h > 0 ? h / Math.LN2 : 0)).join(',')}}'::float8[])[k + 1] AS tau
    FROM feature_entity_tiles t CROSS JOIN generate_series(0, ${b.halfLivesMs.length} - 1) AS k
    WHERE t.entity_type = '${b.entity}' AND t.tile_ms = ${b.from} AND t.v[8 * k + 1] > 0
  ), slots AS (
    SELECT tenant, entity_type, entity_id, start, k,
           ARRAY[sum(n)::bigint, sum(s)::bigint, min(lo), max(hi), (max(ARRAY[last_ts, last_value]))[1], (max(ARRAY[last_ts, last_value]))[2],
                 round(sum(CASE WHEN tau > 0 THEN ew_sum * exp((tile_start - start) / tau) ELSE 0 END))::bigint,
                 round(sum(CASE WHEN tau > 0 THEN ew_weight * exp((tile_start - start) / tau) ELSE 0 END))::bigint] AS f
    FROM fine GROUP BY tenant, entity_type, entity_id, start, k
  ), coarse AS (
    SELECT c.tenant, c.entity_type, c.entity_id, c.start, array_agg(coalesce(s.f, array_fill(0::bigint, ARRAY[8])) ORDER BY k.k) AS m
    FROM (SELECT DISTINCT tenant, entity_type, entity_id, start FROM slots) c
    CROSS JOIN generate_series(0, ${b.halfLivesMs.length} - 1) AS k(k)
    LEFT JOIN slots s ON s.tenant = c.tenant AND s.entity_type = c.entity_type AND s.entity_id = c.entity_id AND s.start = c.start AND s.k = k.k
    GROUP BY c.tenant, c.entity_type, c.entity_id, c.start
  )
  INSERT INTO feature_entity_tiles (tenant, entity_type, entity_id, tile_ms, tile_start, v)
  SELECT tenant, entity_type, entity_id, ${b.to}, start, ARRAY(SELECT unnest(m)) FROM coarse
  ON CONFLICT (tenant, entity_type, entity_id, tile_ms, tile_start) DO UPDATE SET v = excluded.v`;

export async function up(db: Knex): Promise<void> {
  // Constants of this file only, so written into the statement.
  for (const b of builds) await db.raw(buildSql(b));
}

export async function down(db: Knex): Promise<void> {
  // The code before this migration neither reads nor writes these widths.
  for (const b of builds) await db('feature_entity_tiles').where({ entity_type: b.entity, tile_ms: b.to }).delete();
}
