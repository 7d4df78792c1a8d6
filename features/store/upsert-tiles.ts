import type { Knex } from 'knex';
import { joinArray, splitArray } from '../../core/store/joined-array';
import type { TileRow } from '../tile-row';
import { query } from './query';

const chunkSize = 5000;

// On conflict the arrays merge slot by slot as mergeTiles does (feature_tile_merge, migration
// 0015): integers, so concurrent consumers can add to the same row in any order.
const sql = `INSERT INTO feature_entity_tiles AS t (tenant, entity_type, entity_id, tile_ms, tile_start, v)
  SELECT tenant, entity_type, entity_id, tile_ms, tile_start, v::bigint[]
  FROM unnest($1::text[], $2::text[], $3::text[], ${splitArray('$4', 'int')}, ${splitArray('$5', 'bigint')}, ${splitArray('$6', 'text')})
       WITH ORDINALITY AS u(tenant, entity_type, entity_id, tile_ms, tile_start, v, ord)
  ORDER BY ord
  ON CONFLICT (tenant, entity_type, entity_id, tile_ms, tile_start) DO UPDATE SET v = feature_tile_merge(t.v, excluded.v)`;

/**
 * Adds tile rows to feature_entity_tiles in one statement per 5,000 rows, in the callers' sorted
 * order (ordinality), so two transactions take their row locks in the same order. Arrays travel
 * as text literals (`{1,2,…}`) joined into one parameter (core/store/joined-array.ts), cast per row in the database. A prepared
 * statement on the transaction's connection (query.ts): no knex rewrite, no parse per batch.
 */
export async function upsertTiles(db: Knex, rows: TileRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += chunkSize) await upsertChunk(db, rows.slice(i, i + chunkSize));
}

async function upsertChunk(db: Knex, rows: TileRow[]): Promise<void> {
  if (rows.length === 0) return;
  const n = rows.length;
  const tenants = new Array<string>(n);
  const entities = new Array<string>(n);
  const ids = new Array<string>(n);
  const widths = new Array<number>(n);
  const starts = new Array<number>(n);
  const values = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i] as TileRow;
    tenants[i] = r.tenant;
    entities[i] = r.entity;
    ids[i] = r.entityId;
    widths[i] = r.tileMs;
    starts[i] = r.tileStart;
    values[i] = `{${r.v.join(',')}}`;
  }
  await query(db, sql, [tenants, entities, ids, joinArray(widths), joinArray(starts), joinArray(values)]);
}
