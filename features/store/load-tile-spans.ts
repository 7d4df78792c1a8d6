import type { Knex } from 'knex';
import type { EntityType } from '../entity';
import { slotWidth } from '../signal-slots';
import { query } from './query';
import { TileRun } from '../tile-run';

/** Every tile row of one entity and width starting in [from, to), and the series to cut out of them. */
export interface SpanRequest {
  entity: EntityType;
  entityId: string;
  tileMs: number;
  from: number;
  to: number;
  /** Runs to fill: the slot each series sits in. */
  series: { name: string; slot: number }[];
  /** Only the newest row in which the (single) series' slot is not empty: what a last-value feature needs. */
  latest?: boolean;
}

const requestsTable = `unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[], $6::int[]) WITH ORDINALITY
    AS q(entity_type, entity_id, tile_ms, lo, hi, latest_slot, i)`;
const rowsOfQ = `t.tenant = $7 AND t.entity_type = q.entity_type AND t.entity_id = q.entity_id AND t.tile_ms = q.tile_ms
      AND t.tile_start >= q.lo AND t.tile_start < q.hi`;
// Spans in time order; latest requests walk the index backwards to the first row with their slot set.
const sql = `SELECT q.i, t.tile_start, t.v::text FROM ${requestsTable}
  CROSS JOIN LATERAL (SELECT t.tile_start, t.v FROM feature_entity_tiles t WHERE ${rowsOfQ} ORDER BY t.tile_start) t
  WHERE q.latest_slot < 0
  UNION ALL
  SELECT q.i, t.tile_start, t.v::text FROM ${requestsTable}
  CROSS JOIN LATERAL (SELECT t.tile_start, t.v FROM feature_entity_tiles t WHERE ${rowsOfQ} AND t.v[q.latest_slot + 1] > 0
                      ORDER BY t.tile_start DESC LIMIT 1) t
  WHERE q.latest_slot >= 0`;

/**
 * The loader of both reads: one index range scan per (entity, width) for all its series at
 * once (or, for a last-value series, one backward scan to its newest tile), each row fetched once as one text array (`{1,2,…}`, parsed in place: cheaper than decoding
 * 8 columns per series) and arrays rows (no object per row). Returns, per request, a run per
 * series (empty slots skipped), oldest first.
 */
export async function loadTileSpans(db: Knex, tenant: string, requests: SpanRequest[]): Promise<Map<string, TileRun>[]> {
  const out = requests.map((r) => new Map(r.series.map((s) => [s.name, new TileRun()])));
  if (requests.length === 0) return out;
  const col = <T>(f: (r: SpanRequest) => T) => requests.map(f);
  const result = await query(db, sql, [
    col((r) => r.entity), col((r) => r.entityId), col((r) => r.tileMs), col((r) => r.from), col((r) => r.to),
    col((r) => (r.latest ? (r.series[0] as { slot: number }).slot * slotWidth : -1)), tenant,
  ]);
  let v = new Float64Array(64);
  for (const [i, start, text] of result.rows as [number, number, string][]) {
    const index = Number(i) - 1;
    if (text.length > v.length) v = new Float64Array(text.length);
    const length = parseIntegers(text, v);
    const request = requests[index] as SpanRequest;
    const runs = out[index] as Map<string, TileRun>;
    for (const s of request.series) {
      const o = s.slot * slotWidth;
      if (!(o < length) || v[o] === 0) continue;
      const run = runs.get(s.name) as TileRun;
      // The lateral scan returns each request's rows in order; a plan that did not must fail loudly, not mislead.
      if (run.length > 0 && (run.starts[run.length - 1] as number) >= start) throw new Error('feature tile rows out of order');
      run.push(start, v, o);
    }
  }
  return out;
}

/** Reads `{1,-2,3}` into v (a reused buffer: no substring or array per row); returns how many. */
export function parseIntegers(text: string, v: Float64Array): number {
  let n = 0;
  let value = 0;
  let sign = 1;
  let digits = false;
  for (let k = 1; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits = true;
    } else if (c === 45) sign = -1;
    else if (digits) {
      v[n++] = sign * value;
      value = 0;
      sign = 1;
      digits = false;
    }
  }
  return n;
}
