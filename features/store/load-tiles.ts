import type { Knex } from 'knex';
import type { EntityType } from '../entity';
import { slotWidth } from '../signal-slots';
import { TileRun } from '../tile-run';
import { seriesKeyString } from '../tile-key';

export interface TileRequest {
  entity: EntityType;
  entityId: string;
  series: string;
  /** Where the series lives: its tile width and slot (catalog.slotOf). */
  tileMs: number;
  slot: number;
  /** Tiles starting in [from, to). */
  from: number;
  to: number;
  /** Only the newest tile of the range (what a last-value feature needs). */
  latestOnly: boolean;
}

/**
 * Loads the tiles a set of requests asks for, in one statement, each request answered by an
 * index range scan of the entity's rows of that width, reading the series' slot
 * (empty slots skipped, so callers see exactly the tiles the series has). Returns a run per series key (`seriesKeyString`), oldest first, deduplicated.
 */
export async function loadTiles(db: Knex, tenant: string, requests: TileRequest[]): Promise<Map<string, TileRun>> {
  const out = new Map<string, TileRun>();
  if (requests.length === 0) return out;
  const col = <T>(f: (r: TileRequest) => T) => requests.map(f);
  const result = await db.raw(
    `SELECT q.i, t.tile_start, t.v[q.o + 1] AS count, t.v[q.o + 2] AS sum, t.v[q.o + 3] AS min, t.v[q.o + 4] AS max,
            t.v[q.o + 5] AS last_ts, t.v[q.o + 6] AS last_value, t.v[q.o + 7] AS ew_sum, t.v[q.o + 8] AS ew_weight
     FROM unnest(?::text[], ?::text[], ?::int[], ?::int[], ?::bigint[], ?::bigint[], ?::bool[]) WITH ORDINALITY
          AS q(entity_type, entity_id, tile_ms, o, lo, hi, latest, i)
     CROSS JOIN LATERAL (
       SELECT t.tile_start, t.v FROM feature_entity_tiles t
       WHERE t.tenant = ? AND t.entity_type = q.entity_type AND t.entity_id = q.entity_id AND t.tile_ms = q.tile_ms
         AND t.tile_start >= q.lo AND t.tile_start < q.hi AND t.v[q.o + 1] > 0
       ORDER BY t.tile_start DESC
       LIMIT CASE WHEN q.latest THEN 1 END
     ) t`,
    [
      col((r) => r.entity), col((r) => r.entityId), col((r) => r.tileMs), col((r) => r.slot * slotWidth), col((r) => r.from),
      col((r) => r.to), col((r) => r.latestOnly), tenant,
    ] as unknown as Knex.RawBinding[],
  );
  const byKey = new Map<string, Map<number, TileRow>>();
  for (const row of result.rows as TileRow[]) {
    const r = requests[Number(row.i) - 1] as TileRequest;
    const key = seriesKeyString({ tenant, entity: r.entity, entityId: r.entityId, series: r.series });
    let tiles = byKey.get(key);
    if (!tiles) byKey.set(key, (tiles = new Map<number, TileRow>()));
    tiles.set(row.tile_start, row);
  }
  // A series may be asked twice (its newest tile, and a window): each tile once, oldest first.
  for (const [key, tiles] of byKey) {
    const run = new TileRun();
    for (const start of [...tiles.keys()].sort((a, b) => a - b)) {
      const t = tiles.get(start) as TileRow;
      run.push(start, [t.count, t.sum, t.min, t.max, t.last_ts, t.last_value, t.ew_sum, t.ew_weight], 0);
    }
    out.set(key, run);
  }
  return out;
}

interface TileRow {
  i: number | string;
  tile_start: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  last_ts: number;
  last_value: number;
  ew_sum: number;
  ew_weight: number;
}
