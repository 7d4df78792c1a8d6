import type { Knex } from 'knex';

/**
 * Everything rolling features keep, in a canonical order: tile rows, and the events of entity
 * types kept per event (devices: their reports that features count, as the loader reads them).
 * Two runs over the same reports must give equal state.
 */
export async function featureStateOf(db: Knex): Promise<{ tiles: { entity_type: string }[]; events: { entity_type: string }[] }> {
  const [tiles, events] = await Promise.all([
    db.raw(`SELECT tenant, entity_type, entity_id, tile_ms, tile_start, v FROM feature_entity_tiles
            ORDER BY tenant, entity_type, entity_id, tile_ms, tile_start`),
    db.raw(`SELECT tenant, 'device' AS entity_type, device_id AS entity_id, floor(extract(epoch FROM ts) * 1000)::bigint AS ts,
                   ARRAY[1, speed_kph, battery_pct] AS v
            FROM reports WHERE in_features ORDER BY tenant, device_id, ts, v`),
  ]);
  return { tiles: tiles.rows, events: events.rows };
}
