import type { Knex } from 'knex';
import type { EntityType } from '../entity';
import { deviceEventValuesSql, eventSlotOf, isEventLogged } from '../entity-storage';
import type { SeriesDefinition } from '../feature-definition';
import { slotWidth } from '../signal-slots';
import { query } from './query';
import { TileRun } from '../tile-run';

/** Every tile of one entity and width starting in [from, to), and the series to cut out of them. */
export interface SpanRequest {
  entity: EntityType;
  entityId: string;
  tileMs: number;
  from: number;
  to: number;
  /**
   * Runs to fill: each series with its slot in the entity's tile rows and, optionally, which
   * of the slot's integers to fetch (slot-fields.ts; the rest are left 0 in the run).
   */
  series: { name: string; slot: number; definition: SeriesDefinition; fields?: readonly number[] }[];
  /**
   * Only the newest tile in which the (single) series is not empty: what a last-value feature
   * needs. Of that tile only last_ts and last_value are whole (for an entity kept per event the
   * run holds just the events of its newest instant), so only last-value features may use it.
   */
  latest?: boolean;
  /**
   * Appends to the previous request's runs instead of runs of its own: a later stretch of the
   * same entity, width and series (an online read fetches a long window's edges apart).
   */
  continues?: boolean;
}

// Unnested once (each of the four scans below picks its requests from it): unnesting the ten
// arrays in every branch cost more than the scans of a small read.
const requestsTable = `WITH q AS MATERIALIZED (SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[], $6::int[], $7::int[], $8::bool[], $10::int[])
    WITH ORDINALITY AS q(entity_type, entity_id, tile_ms, lo, hi, latest_tile, latest_event, events, shape, i))`;
const ofQ = (t: string) => `${t}.tenant = $9 AND ${t}.entity_type = q.entity_type AND ${t}.entity_id = q.entity_id`;
const tilesOfQ = `${ofQ('t')} AND t.tile_ms = q.tile_ms AND t.tile_start >= q.lo AND t.tile_start < q.hi`;
// A device's events are its reports that features count, read by the primary key's range
// (tenant, device_id, ts), which includes every column read (an index-only scan where the
// visibility map allows). Event time in whole milliseconds, as ingest stores it since 2026-12-07
// (core/store/stored-event-time.ts). Reports stored before may hold microseconds: the float epoch
// holds them within a fraction, so rounding recovers them exactly and the division cuts them as
// Date.parse did (times after 1970; a third of the cost of exact numeric extract per row).
// $11 and $12 (timestamptz) bound every request's range, so PostgreSQL leaves out the report
// partitions outside them: when planning (a custom plan; a computed bound would not do, timestamptz
// arithmetic is only stable) or else when the statement starts. The per-request bounds come from
// the lateral row, known only during the scan: without these a statement opened every daily
// partition there is (with 200 more empty ones, an online read took 8–10 ms instead of ~3), and
// planned them all (56 ms a custom plan with 365).
const msToTime = (ms: string) => `timestamptz 'epoch' + ${ms} * interval '1 millisecond'`;
const eventsOfQ = `e.tenant = $9 AND e.device_id = q.entity_id AND e.ts >= ${msToTime('q.lo')} AND e.ts < ${msToTime('q.hi')}
  AND e.ts >= $11::timestamptz AND e.ts < $12::timestamptz AND e.in_features`;
const eventRow = `round(date_part('epoch', e.ts) * 1000000)::bigint / 1000 AS ts, ${deviceEventValuesSql} AS v FROM reports e`;

/**
 * A tile row as fetched: request k's shape (1-based positions) picks only the integers its
 * features read, with literal subscripts (a subscript taken from a parameter per row costs more
 * than it saves); shape 0 is the whole row. PostgreSQL printing integers as text is most of a
 * read's server time, and a hub's row holds 40 of them.
 */
function tileValues(shapes: readonly number[][]): string {
  if (shapes.length === 0) return 't.v';
  const cases = shapes.map((positions, k) => `WHEN ${k + 1} THEN ARRAY[${positions.map((p) => `t.v[${p + 1}]`).join(', ')}]`);
  return `CASE q.shape ${cases.join(' ')} ELSE t.v END`;
}

// Spans in time order; latest requests walk the index backwards to the first tile (or the
// newest events: all of one instant, which fold into that tile as ingest would fold them)
// with their slot set. Entity types kept per event (devices) read their reports and also any tile rows
// written before they were (migration 0031), merged when read; `src` says which table a row is from.
// Each request's rows come back as one text, `start{v}start{v}…` in scan order: one result row
// per request instead of one per tile is most of what node-postgres spends on a read. The
// aggregate takes the ordered subquery's rows in order (PostgreSQL does not promise it, so the
// loader checks it: rows out of order throw rather than give a wrong value).
const rowsOf = (scan: string, start: string) => `(SELECT string_agg(${start} || s.v::text, '') AS rows FROM (${scan}) s) r`;
const buildSql = (v: string) => `${requestsTable}
  SELECT q.i, 0 AS src, r.rows FROM q
  CROSS JOIN LATERAL ${rowsOf(`SELECT t.tile_start, ${v} AS v FROM feature_entity_tiles t WHERE ${tilesOfQ} ORDER BY t.tile_start`, 's.tile_start')}
  WHERE q.latest_tile < 0 AND r.rows IS NOT NULL
  UNION ALL
  SELECT q.i, 0, r.rows FROM q
  CROSS JOIN LATERAL ${rowsOf(`SELECT t.tile_start, ${v} AS v FROM feature_entity_tiles t WHERE ${tilesOfQ} AND t.v[q.latest_tile + 1] > 0
                      ORDER BY t.tile_start DESC LIMIT 1`, 's.tile_start')}
  WHERE q.latest_tile >= 0 AND r.rows IS NOT NULL
  UNION ALL
  SELECT q.i, 1, r.rows FROM q
  CROSS JOIN LATERAL ${rowsOf(`SELECT ${eventRow} WHERE ${eventsOfQ} ORDER BY e.ts`, 's.ts')}
  WHERE q.events AND q.latest_event < 0 AND r.rows IS NOT NULL
  UNION ALL
  SELECT q.i, 1, r.rows FROM q
  CROSS JOIN LATERAL ${rowsOf(`SELECT ${eventRow} WHERE ${eventsOfQ} AND (${deviceEventValuesSql})[q.latest_event + 1] IS NOT NULL
                      ORDER BY e.ts DESC FETCH FIRST 1 ROW WITH TIES`, 's.ts')}
  WHERE q.events AND q.latest_event >= 0 AND r.rows IS NOT NULL`;

// One statement text per set of shapes read together: a catalog's reads use a handful of sets.
const sqlByShapes = new Map<string, string>();
function sqlFor(shapes: readonly number[][]): string {
  const key = shapes.join('|');
  let text = sqlByShapes.get(key);
  if (text === undefined) sqlByShapes.set(key, (text = buildSql(tileValues(shapes))));
  return text;
}

type Runs = Map<string, TileRun>;

/**
 * The loader of both reads: one index range scan per (entity, width) for all its series at
 * once (or, for a last-value series, one backward scan to its newest tile), each row fetched
 * once as one text array (`{1,2,…}`, parsed in place: cheaper than decoding 8 columns per
 * series), a request's rows joined in one text. Entity types kept per event (devices) are read
 * from their reports and folded into the same tiles as they are read. Returns, per request, a run
 * per series (empty slots skipped), oldest first.
 */
export async function loadTileSpans(db: Knex, tenant: string, requests: SpanRequest[]): Promise<Runs[]> {
  const newRuns = (r: SpanRequest): Runs => new Map(r.series.map((s) => [s.name, new TileRun()]));
  const out: Runs[] = [];
  requests.forEach((r, i) => {
    if (!r.continues) return out.push(newRuns(r));
    continued(requests[i - 1], r);
    return out.push(out[i - 1] as Runs);
  });
  if (requests.length === 0) return out;
  const col = <T>(f: (r: SpanRequest) => T) => requests.map(f);
  const events = col((r) => isEventLogged(r.entity));
  // Per request and series, where its value sits in an event row (worked out once, not per event).
  const eventSlots = requests.map((r, i) => (events[i] ? r.series.map((s) => eventSlotOf(r.entity, s.definition.signal)) : []));
  const projections = requests.map((r, i) => (events[i] ? undefined : projectionFor(r)));
  const { shapes, shapeOf } = distinctShapes(projections);
  const result = await query(db, sqlFor(shapes), [
    col((r) => r.entity), col((r) => r.entityId), col((r) => r.tileMs), col((r) => r.from), col((r) => r.to),
    col((r) => (r.latest ? (r.series[0] as SpanRequest['series'][number]).slot * slotWidth : -1)),
    requests.map((r, i) => (r.latest && events[i] ? (eventSlots[i] as number[])[0] : -1)),
    events, tenant, shapeOf, ...eventBounds(requests, events),
  ]);
  const legacy = new Map<number, Runs>();
  let v = new Float64Array(64);
  // In request order: a request continuing another appends after it.
  const rows = (result.rows as [number, number, string][]).sort((a, b) => Number(a[0]) - Number(b[0]) || a[1] - b[1]);
  for (const [i, src, text] of rows) {
    const index = Number(i) - 1;
    const request = requests[index] as SpanRequest;
    let runs = out[index] as Runs;
    if (src === 0 && events[index]) {
      // A tile row of an entity type kept per event: written before migration 0031.
      runs = legacy.get(index) ?? newRuns(request);
      legacy.set(index, runs);
    }
    for (let at = 0; at < text.length; ) {
      const open = text.indexOf('{', at);
      const close = text.indexOf('}', open) + 1;
      const start = parseInteger(text, at, open);
      if (close - open > v.length) v = new Float64Array(close - open);
      if (src === 1) addEvent(request, eventSlots[index] as number[], runs, start, v, parseDoubles(text, v, open, close));
      else {
        const n = parseIntegers(text, v, open, close);
        const projection = projections[index];
        if (projection) addTileRow(runs, request, start, projection.spread(v, n), projection.row.length);
        else addTileRow(runs, request, start, v, n);
      }
      at = close;
    }
  }
  for (const [index, runs] of legacy) {
    const merged = out[index] as Runs;
    for (const [name, run] of runs) merged.set(name, TileRun.merge(run, merged.get(name) as TileRun));
  }
  return out;
}

/** The earliest start and latest end of the requests read from reports ([0, 0) when there are none), as times. */
function eventBounds(requests: SpanRequest[], events: boolean[]): [string, string] {
  let lo = Infinity;
  let hi = -Infinity;
  requests.forEach((r, i) => {
    if (!events[i]) return;
    lo = Math.min(lo, r.from);
    hi = Math.max(hi, r.to);
  });
  const [from, to] = lo < hi ? [lo, hi] : [0, 0];
  return [new Date(from).toISOString(), new Date(to).toISOString()];
}

/** A request may continue only an earlier stretch of the same entity, width and series. */
function continued(previous: SpanRequest | undefined, r: SpanRequest): void {
  const same = previous && previous.entity === r.entity && previous.entityId === r.entityId && previous.tileMs === r.tileMs && previous.series === r.series;
  if (!same || previous.to > r.from || previous.latest || r.latest) throw new Error(`span request for ${r.entity} ${r.entityId} continues no earlier stretch of its series`);
}

/** The integers a request fetches of each tile row, and a row-sized buffer to put them back in place. */
interface Projection {
  positions: number[];
  key: string;
  row: Float64Array;
  spread(v: Float64Array, n: number): Float64Array;
}

// Per series list (plans share theirs across reads): worked out once, not per request.
const projectionBySeries = new WeakMap<SpanRequest['series'], Projection | undefined>();
function projectionFor(r: SpanRequest): Projection | undefined {
  if (!projectionBySeries.has(r.series)) projectionBySeries.set(r.series, projectionOf(r));
  return projectionBySeries.get(r.series);
}

/** Undefined (fetch whole rows) unless every series says which of its integers it reads. */
function projectionOf(r: SpanRequest): Projection | undefined {
  const series = r.series;
  if (series.some((s) => s.fields === undefined)) return undefined;
  const positions = series.flatMap((s) => (s.fields as readonly number[]).map((f) => s.slot * slotWidth + f)).sort((a, b) => a - b);
  // Whole slots: TileRun.push reads all 8 integers of each (the unfetched ones stay 0).
  const row = new Float64Array((Math.max(...series.map((s) => s.slot)) + 1) * slotWidth);
  return {
    positions,
    key: positions.join(','),
    row,
    // A row shorter than a position (written before its slot existed) prints NULL there, which
    // the parser skips: positions ascend, so the n values read are the first n positions'.
    spread(v, n) {
      for (let j = 0; j < positions.length; j++) row[positions[j] as number] = j < n ? (v[j] as number) : 0;
      return row;
    },
  };
}

/** Each distinct projection once (in a stable order, so the statement text is too), and per request its 1-based shape (0: whole rows). */
function distinctShapes(projections: (Projection | undefined)[]): { shapes: number[][]; shapeOf: number[] } {
  const byKey = new Map(projections.filter((p) => p !== undefined).map((p) => [p.key, p.positions]));
  const keys = [...byKey.keys()].sort();
  const id = new Map(keys.map((k, n) => [k, n + 1]));
  return {
    shapes: keys.map((k) => byKey.get(k) as number[]),
    shapeOf: projections.map((p) => (p ? (id.get(p.key) as number) : 0)),
  };
}

function addTileRow(runs: Runs, request: SpanRequest, start: number, v: Float64Array, length: number): void {
  for (const s of request.series) {
    const o = s.slot * slotWidth;
    if (!(o < length) || v[o] === 0) continue;
    const run = runs.get(s.name) as TileRun;
    // The lateral scan returns each request's rows in order; a plan that did not must fail loudly, not mislead.
    if (run.length > 0 && (run.starts[run.length - 1] as number) >= start) throw new Error('feature tile rows out of order');
    run.push(start, v, o);
  }
}

/** An event row `{1,52.3,NULL}` (ts ascending per request) folded into each series' run. */
function addEvent(request: SpanRequest, slots: number[], runs: Runs, ts: number, values: Float64Array, length: number): void {
  for (let j = 0; j < request.series.length; j++) {
    const s = request.series[j] as SpanRequest['series'][number];
    const k = slots[j] as number;
    const value = values[k] as number;
    if (!(k < length) || Number.isNaN(value)) continue;
    const run = runs.get(s.name) as TileRun;
    if (run.length > 0 && (run.starts[run.length - 1] as number) > ts) throw new Error('feature events out of order');
    run.addEvent(s.definition, ts, value);
  }
}

// Powers of ten that are exact doubles: m / 10^k with both exact is correctly rounded, so it is
// the double `Number` would read (the fast path of every strtod); anything else goes to Number.
const exactPowers = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Reads a Postgres double precision[] text (`{1,52.3,NULL,1e-07}`, text[from, to)) into v, NULL as NaN; returns
 * how many. Exact: Postgres prints the shortest text that reads back as the same double.
 */
export function parseDoubles(text: string, v: Float64Array, from = 0, to = text.length): number {
  let n = 0;
  for (let a = from + 1; a < to - 1; ) {
    let b = text.indexOf(',', a);
    if (b < 0 || b > to - 1) b = to - 1;
    v[n++] = parseDouble(text, a, b);
    a = b + 1;
  }
  return n;
}

function parseDouble(text: string, a: number, b: number): number {
  if (text.charCodeAt(a) === 78) return Number.NaN; // NULL
  const negative = text.charCodeAt(a) === 45;
  let m = 0;
  let digits = 0;
  let decimals = -1;
  for (let i = negative ? a + 1 : a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) decimals = 0;
    else return Number(text.slice(a, b)); // exponent, Infinity, NaN
  }
  if (digits > 15) return Number(text.slice(a, b));
  const x = decimals > 0 ? m / (exactPowers[decimals] as number) : m;
  return negative ? -x : x;
}

/** The integer text[from, to) (a tile start or event time), read without a substring. */
function parseInteger(text: string, from: number, to: number): number {
  let value = 0;
  for (let k = text.charCodeAt(from) === 45 ? from + 1 : from; k < to; k++) value = value * 10 + (text.charCodeAt(k) - 48);
  return text.charCodeAt(from) === 45 ? -value : value;
}

/** Reads `{1,-2,3}` (text[from, to)) into v (a reused buffer: no substring or array per row); returns how many. */
export function parseIntegers(text: string, v: Float64Array, from = 0, to = text.length): number {
  let n = 0;
  let value = 0;
  let sign = 1;
  let digits = false;
  for (let k = from + 1; k < to; k++) {
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
