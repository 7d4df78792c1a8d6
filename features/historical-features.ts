import type { Knex } from 'knex';
import type { FeatureCatalog } from './catalog';
import { defaultCatalog } from './definitions';
import type { EntityRef, EntityType } from './entity';
import { bindFeature, evaluateBound, evaluateOn, isClockDependent, type BoundFeature, type FeatureValue } from './evaluate-feature';
import type { SeriesDefinition } from './feature-definition';
import { featureVector, type FeatureVector } from './feature-vector';
import { FeatureStatePrunedError, firstReadableAt } from './feature-retention';
import { fieldsRead } from './slot-fields';
import { readPrunedBefore } from './store/read-pruned-before';
import { loadTileSpans, type SpanRequest } from './store/load-tile-spans';
import { tileStartOf } from './tile';
import { TileRun } from './tile-run';

export interface HistoricalRow {
  entity: EntityRef;
  /** Epoch ms: the row gets what an online read at this instant would have returned. */
  at: number;
}

export interface HistoricalRequest {
  tenant: string;
  rows: HistoricalRow[];
  catalog?: FeatureCatalog;
  /** Also return each value's freshness (asOf, lastEventAt), as online reads do; default false. */
  withFreshness?: boolean;
  /** Entities per database round trip; default 100 (each holds every tile of its rows' span in memory). */
  entitiesPerQuery?: number;
}

/** Per feature name, one value per request row: NaN where the value is null or the feature is not of the row's entity type. */
export type HistoricalColumns = Map<string, Float64Array>;

/**
 * Point-in-time features for training: for every row, exactly the values an online read at
 * `row.at` returns (the same evaluator on the same tiles), so only events before `at` count.
 * Tiles are loaded once per entity for the span of its rows. Results keep the rows' order.
 */
export async function getHistoricalFeatures(db: Knex, request: HistoricalRequest): Promise<FeatureVector[]> {
  const catalog = request.catalog ?? defaultCatalog;
  const out: FeatureVector[] = new Array(request.rows.length);
  const withFreshness = request.withFreshness ?? false;
  await forEachEntity(db, request, catalog, (group, runOf) => {
    const memo = new Map(catalog.featuresOf(group.entity.type).map((f) => {
      const bound = bindFeature(f, catalog, runOf);
      return [f, oncePerTile(bound, (at) => evaluateBound(bound, at))];
    }));
    for (const index of group.indexes) {
      const row = request.rows[index] as HistoricalRow;
      out[index] = featureVector(catalog, row.entity, row.at, runOf, withFreshness, (f) => (memo.get(f) as (at: number) => FeatureValue)(row.at));
    }
  });
  return out;
}

/**
 * The same values as getHistoricalFeatures, as one Float64Array per feature: no object per row
 * or per value, which is what a training set is made of anyway (about twice as fast).
 */
export async function getHistoricalFeatureColumns(db: Knex, request: HistoricalRequest): Promise<HistoricalColumns> {
  const catalog = request.catalog ?? defaultCatalog;
  const columns: HistoricalColumns = new Map();
  const column = (name: string): Float64Array => {
    let c = columns.get(name);
    if (!c) columns.set(name, (c = new Float64Array(request.rows.length).fill(Number.NaN)));
    return c;
  };
  await forEachEntity(db, request, catalog, (group, runOf) => {
    const features = catalog.featuresOf(group.entity.type).map((f) => {
      const bound = bindFeature(f, catalog, runOf);
      return { target: column(f.name), value: oncePerTile(bound, (at) => evaluateOn(bound, at) ?? Number.NaN) };
    });
    for (let k = 0; k < group.indexes.length; k++) {
      const index = group.indexes[k] as number;
      const at = group.ats[k] as number;
      for (const x of features) x.target[index] = x.value(at);
    }
  });
  return columns;
}

/**
 * `evaluate` for read times given in time order (a group's rows are), once per tile: a value that depends on the read
 * time only through the start of its tile (all but clock-dependent ones) is the same for every
 * row in it (a training set has many legs leaving one hub within one tile).
 */
function oncePerTile<T>(bound: BoundFeature, evaluate: (at: number) => T): (at: number) => T {
  if (isClockDependent(bound.feature.aggregation)) return evaluate;
  const { tileMs } = bound;
  let asOf = Number.NaN;
  let value: T;
  return (at) => {
    const tile = tileStartOf(at, tileMs);
    if (tile !== asOf) [asOf, value] = [tile, evaluate(at)];
    return value;
  };
}

/** Row indexes in time order (sorted only when they are not: training sets usually are), so rows in one tile follow each other. */
function byTime(indexes: number[], ats: Float64Array): number[] {
  let sorted = true;
  for (let k = 1; k < indexes.length && sorted; k++) sorted = (ats[indexes[k - 1] as number] as number) <= (ats[indexes[k] as number] as number);
  return sorted ? indexes : Array.from(Uint32Array.from(indexes).sort((a, b) => (ats[a] as number) - (ats[b] as number)));
}

interface EntityGroup {
  entity: EntityRef;
  /** The entity's rows, in time order, and their read times. */
  indexes: number[];
  ats: number[];
  minAt: number;
  maxAt: number;
}

type RunOf = (series: string) => TileRun;

// Round trips in flight: the database answers one while Node evaluates another (2 cores, 2 loads).
const loadsAhead = 2;

/** Loads the tiles of `entitiesPerQuery` entities at a time; the next loads run while this batch is evaluated. */
async function forEachEntity(db: Knex, request: HistoricalRequest, catalog: FeatureCatalog, evaluate: (g: EntityGroup, runOf: RunOf) => void): Promise<void> {
  const groups = groupByEntity(request.rows);
  const step = request.entitiesPerQuery ?? 100;
  const plans = spanPlans(catalog, request.withFreshness ?? false);
  // Checked before and after loading: a prune records its horizon before deleting anything.
  await refusePruned(db, groups, plans, catalog);
  const load = (from: number) => {
    const chunk = groups.slice(from, from + step);
    const requests = chunk.map((g) => spanRequests(plans.get(g.entity.type) ?? [], g));
    return loadTileSpans(db, request.tenant, requests.flat()).then((runs) => ({ chunk, requests, runs }));
  };
  const pending: ReturnType<typeof load>[] = [];
  let next = 0;
  const refill = () => {
    for (; pending.length < loadsAhead && next < groups.length; next += step) pending.push(load(next));
  };
  refill();
  while (pending.length > 0) {
    const { chunk, requests, runs } = await (pending.shift() as ReturnType<typeof load>);
    refill();
    let r = 0;
    chunk.forEach((g, k) => {
      const mine = new Map<string, TileRun>();
      for (let n = (requests[k] as SpanRequest[]).length; n > 0; n--) for (const [name, run] of runs[r++] as Map<string, TileRun>) mine.set(name, run);
      evaluate(g, (series) => mine.get(series) ?? TileRun.empty);
    });
  }
  await refusePruned(db, groups, plans, catalog);
}

/** Throws when a row's windows reach before the instant feature state was pruned to: its values would miss deleted events. */
async function refusePruned(db: Knex, groups: EntityGroup[], plans: Map<EntityType, SpanPlan[]>, catalog: FeatureCatalog): Promise<void> {
  const prunedBefore = await readPrunedBefore(db);
  if (prunedBefore === null) return;
  for (const g of groups) {
    const needsFrom = Math.min(...spanRequests(plans.get(g.entity.type) ?? [], g).map((r) => r.from));
    if (needsFrom >= prunedBefore) continue;
    const row = g.indexes[0] as number;
    const iso = (ms: number) => new Date(ms).toISOString();
    const first = firstReadableAt(prunedBefore, catalog, g.entity.type);
    throw new FeatureStatePrunedError(
      `row ${row} (${g.entity.type} ${g.entity.id} at ${iso(g.minAt)}) reads feature state from ${iso(needsFrom)}, but state before ${iso(prunedBefore)} has been deleted by the feature retention (flowcast features prune): use ${g.entity.type} rows at or after ${iso(first)}`,
      { row, at: g.minAt, firstReadableAt: first, prunedBefore },
    );
  }
}

function groupByEntity(rows: HistoricalRow[]): EntityGroup[] {
  // Keyed by type, then id: no key string built per row.
  const byType = new Map<string, Map<string, EntityGroup>>();
  const groups: EntityGroup[] = [];
  rows.forEach((row, index) => {
    let byId = byType.get(row.entity.type);
    if (!byId) byType.set(row.entity.type, (byId = new Map()));
    const g = byId.get(row.entity.id);
    if (g) {
      g.indexes.push(index);
      if (row.at < g.minAt) g.minAt = row.at;
      if (row.at > g.maxAt) g.maxAt = row.at;
    } else {
      const group = { entity: row.entity, indexes: [index], ats: [], minAt: row.at, maxAt: row.at };
      byId.set(row.entity.id, group);
      groups.push(group);
    }
  });
  const ats = Float64Array.from(rows, (r) => r.at);
  for (const g of groups) {
    g.indexes = byTime(g.indexes, ats);
    g.ats = g.indexes.map((i) => ats[i] as number);
  }
  return groups;
}

/** Per entity type and tile width: the series (slots) living there, and how far back the windows read from it reach. */
interface SpanPlan {
  tileMs: number;
  /** Each (finest width, window) of the features reading this width: a window ends at the start of its finest tile holding the read time. */
  reaches: { tileMs: number; windowMs: number }[];
  series: SpanRequest['series'];
}

function spanPlans(catalog: FeatureCatalog, withFreshness: boolean): Map<EntityType, SpanPlan[]> {
  const out = new Map<EntityType, Map<number, SpanPlan>>();
  for (const f of catalog.features) {
    const read = catalog.seriesReadBy(f);
    const reach = { tileMs: (read.numerator[0] as SeriesDefinition).tileMs, windowMs: f.windowMs };
    for (const series of [...read.numerator, ...read.denominator]) {
      const byWidth = out.get(f.entity) ?? new Map<number, SpanPlan>();
      out.set(f.entity, byWidth);
      const plan = byWidth.get(series.tileMs) ?? { tileMs: series.tileMs, reaches: [], series: [] };
      byWidth.set(series.tileMs, plan);
      if (!plan.reaches.some((r) => r.tileMs === reach.tileMs && r.windowMs === reach.windowMs)) plan.reaches.push(reach);
      if (!plan.series.some((s) => s.name === series.name)) plan.series.push({ name: series.name, slot: catalog.slotOf(series.name), definition: series, fields: fieldsRead(catalog, series.name, withFreshness) });
    }
  }
  return new Map([...out].map(([entity, byWidth]) => [entity, [...byWidth.values()]]));
}

/** Every tile row any row of the entity could read, one request per tile width. */
function spanRequests(plans: SpanPlan[], g: EntityGroup): SpanRequest[] {
  return plans.map((p) => ({
    entity: g.entity.type, entityId: g.entity.id, tileMs: p.tileMs, series: p.series,
    from: Math.min(...p.reaches.map((r) => tileStartOf(g.minAt, r.tileMs) - r.windowMs)), to: tileStartOf(g.maxAt, p.tileMs),
  }));
}
