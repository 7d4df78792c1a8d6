import type { Knex } from 'knex';

// Rolling-feature state, one row per (entity, tile width, tile) holding every signal of the
// entity in a slot of 8 integers (count, sum, min, max, last_ts, last_value, ew_sum, ew_weight;
// count 0 = empty slot). A report then writes one device row instead of one row per series.
// Slot numbers are listed in features/signal-slots.ts (append only); the copy below uses the
// list of the day this migration was written.
const slots: [string, string, number, number][] = [
  ['hub', 'arrival', 0, 5], ['hub', 'departure', 1, 5], ['hub', 'arrival_delay_min', 2, 5],
  ['hub', 'departure_delay_min', 3, 5], ['hub', 'arrival_delay_min~3600000', 4, 5],
  ['lane', 'arrival', 0, 2], ['lane', 'arrival_delay_min', 1, 2],
  ['device', 'report', 0, 3], ['device', 'speed_kph', 1, 3], ['device', 'battery_pct', 2, 3],
  ['shipment', 'event_delay_min', 0, 1],
  ['zone', 'parcels', 0, 3], ['zone', 'rejects', 1, 3], ['zone', 'jam', 2, 3],
  ['network', 'arrival_delay_min', 0, 1],
];
const deviceTileMs = 15_000;

// Slot-wise a ⊕ b, the same rules as mergeTiles (features/tile.ts); arrays of different lengths
// (a signal appended later) merge as if the shorter one had empty slots at its end.
const mergeFunction = `
CREATE FUNCTION feature_tile_merge(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(CASE
      WHEN coalesce(b[s + 1], 0) = 0 THEN coalesce(a[i], 0)
      WHEN coalesce(a[s + 1], 0) = 0 THEN b[i]
      WHEN i - s = 3 THEN least(a[i], b[i])
      WHEN i - s = 4 OR i - s = 5 THEN greatest(a[i], b[i])
      WHEN i - s = 6 THEN CASE WHEN (b[s + 5], b[i]) > (a[s + 5], a[i]) THEN b[i] ELSE a[i] END
      ELSE a[i] + b[i] END ORDER BY i)
  FROM generate_series(1, greatest(cardinality(a), cardinality(b))) AS i,
       LATERAL (SELECT i - 1 - (i - 1) % 8) AS o(s)
$$`;

const labelMs = (expr: string) =>
  `(left(${expr}, -1)::bigint * CASE right(${expr}, 1) WHEN 's' THEN 1000 WHEN 'm' THEN 60000 ELSE 3600000 END)`;

// Old rows are `entity.signal@15s[~1h]` per series; device series are re-tiled to the one device
// width (merging tiles of one series is exact; device series have no EWMA sums).
const copy = `
WITH slots(entity_type, slot_key, slot, n) AS (SELECT * FROM unnest(?::text[], ?::text[], ?::int[], ?::int[])),
parsed AS (
  SELECT t.*, ${labelMs("substring(t.series from '@([0-9]+[smh])')")} AS old_ms,
         substring(t.series from '^[^.]+\\.([^@]+)@')
           || coalesce('~' || ${labelMs("substring(t.series from '~([0-9]+[smh])$')")}, '') AS slot_key
  FROM feature_tiles t),
placed AS (
  SELECT p.*, s.slot, s.n, CASE WHEN p.entity_type = 'device' THEN ${deviceTileMs} ELSE p.old_ms END AS tile_ms
  FROM parsed p JOIN slots s USING (entity_type, slot_key)),
merged AS (
  SELECT tenant, entity_type, entity_id, tile_ms, (tile_start / tile_ms) * tile_ms AS new_start, slot, n,
         sum(count)::bigint AS count, sum(sum)::bigint AS sum, min(min) AS min, max(max) AS max, max(last_ts) AS last_ts,
         (array_agg(last_value ORDER BY last_ts DESC, last_value DESC))[1] AS last_value,
         sum(ew_sum)::bigint AS ew_sum, sum(ew_weight)::bigint AS ew_weight
  FROM placed GROUP BY 1, 2, 3, 4, 5, 6, 7),
dense AS (
  SELECT k.*, s.slot FROM (SELECT DISTINCT tenant, entity_type, entity_id, tile_ms, new_start, n FROM merged) k
  CROSS JOIN LATERAL generate_series(0, k.n - 1) AS s(slot))
INSERT INTO feature_entity_tiles (tenant, entity_type, entity_id, tile_ms, tile_start, v)
SELECT d.tenant, d.entity_type, d.entity_id, d.tile_ms, d.new_start, array_agg(p.x ORDER BY d.slot, p.i)
FROM dense d LEFT JOIN merged m USING (tenant, entity_type, entity_id, tile_ms, new_start, slot)
CROSS JOIN LATERAL unnest(ARRAY[coalesce(m.count, 0), coalesce(m.sum, 0), coalesce(m.min, 0), coalesce(m.max, 0),
  coalesce(m.last_ts, 0), coalesce(m.last_value, 0), coalesce(m.ew_sum, 0), coalesce(m.ew_weight, 0)]) WITH ORDINALITY AS p(x, i)
GROUP BY d.tenant, d.entity_type, d.entity_id, d.tile_ms, d.new_start`;

export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE feature_entity_tiles (
      tenant      text NOT NULL,
      entity_type text NOT NULL,
      entity_id   text NOT NULL,
      tile_ms     integer NOT NULL,
      tile_start  bigint NOT NULL,
      v           bigint[] NOT NULL,
      PRIMARY KEY (tenant, entity_type, entity_id, tile_ms, tile_start)
    ) WITH (fillfactor = 80)`);
  await db.raw(mergeFunction);
  await db.raw(copy, [slots.map((s) => s[0]), slots.map((s) => s[1]), slots.map((s) => s[2]), slots.map((s) => s[3])] as unknown as Knex.RawBinding[]);
  await db.raw('DROP TABLE feature_tiles');
}

// Going back restores the per-series table empty: tiles are rebuilt by replaying reports.
export async function down(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE feature_tiles (
      tenant text NOT NULL, entity_type text NOT NULL, entity_id text NOT NULL, series text NOT NULL,
      tile_start bigint NOT NULL, count bigint NOT NULL, sum bigint NOT NULL, min bigint NOT NULL, max bigint NOT NULL,
      last_ts bigint NOT NULL, last_value bigint NOT NULL, ew_sum bigint NOT NULL, ew_weight bigint NOT NULL,
      PRIMARY KEY (tenant, entity_type, entity_id, series, tile_start)
    ) WITH (fillfactor = 80)`);
  await db.raw('DROP FUNCTION feature_tile_merge(bigint[], bigint[])');
  await db.raw('DROP TABLE feature_entity_tiles');
}
