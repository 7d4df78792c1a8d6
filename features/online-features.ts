import type { Knex } from 'knex';
import type { FeatureCatalog } from './catalog';
import { defaultCatalog } from './definitions';
import type { EntityRef, EntityType } from './entity';
import { readsNewestOnly, type SeriesDefinition } from './feature-definition';
import { featureVector, type FeatureVector } from './feature-vector';
import { fieldsRead } from './slot-fields';
import { loadTileSpans, type SpanRequest } from './store/load-tile-spans';
import { tileStartOf } from './tile';
import { TileRun } from './tile-run';
import { windowRanges } from './window-pieces';

export interface OnlineRequest {
  tenant: string;
  entities: EntityRef[];
  /** Read time, epoch ms; default now. A past instant gives what a read then would have given. */
  at?: number;
  catalog?: FeatureCatalog;
}

/**
 * The features of a few entities as of `at`, read straight from the tiles in one (prepared)
 * statement: per entity and tile width one range scan per stretch of time its windows read from
 * that width (the middle of a long window from coarse tiles, its edges from fine ones), and for a
 * series last-value features read, one backward scan to its newest tile.
 */
export async function getOnlineFeatures(db: Knex, request: OnlineRequest): Promise<FeatureVector[]> {
  const catalog = request.catalog ?? defaultCatalog;
  const at = request.at ?? Date.now();
  const plans = onlinePlans(catalog);
  const perEntity = request.entities.map((e) => spanRequests(plans.get(e.type), e, at));
  const runs = await loadTileSpans(db, request.tenant, perEntity.flat());
  let r = 0;
  return request.entities.map((e, k) => {
    const mine = new Map<string, TileRun>();
    for (const request of perEntity[k] as SpanRequest[]) {
      const loaded = runs[r++] as Map<string, TileRun>;
      if (request.continues) continue; // its tiles are in the runs of the request it continues
      // A newest-tile scan may return a tile a stretch of the same width has too.
      for (const [name, run] of loaded) mine.set(name, TileRun.union(mine.get(name) ?? TileRun.empty, run));
    }
    return featureVector(catalog, e, at, (series) => mine.get(series) ?? TileRun.empty);
  });
}

/** What an entity type's features read, worked out once per catalog. */
interface EntityPlan {
  /** Per windowed feature (distinct ladder and window): the widths of its ladder, finest first. */
  windows: { widths: number[]; windowMs: number }[];
  /** Per tile width: every series of the entity's ladders living there (one row holds them all). */
  seriesAt: Map<number, SpanRequest['series']>;
  /** Series only last-value features read at their width: a backward scan to the newest tile with the slot set. */
  newest: { windowMs: number; series: SpanRequest['series'] }[];
}

const planCache = new WeakMap<FeatureCatalog, Map<EntityType, EntityPlan>>();

function onlinePlans(catalog: FeatureCatalog): Map<EntityType, EntityPlan> {
  let plans = planCache.get(catalog);
  if (!plans) planCache.set(catalog, (plans = buildPlans(catalog)));
  return plans;
}

function buildPlans(catalog: FeatureCatalog): Map<EntityType, EntityPlan> {
  const out = new Map<EntityType, EntityPlan>();
  // Online vectors carry freshness, so last_ts is read too.
  const slot = (s: SeriesDefinition) => ({ name: s.name, slot: catalog.slotOf(s.name), definition: s, fields: fieldsRead(catalog, s.name, true) });
  for (const f of catalog.features) {
    let plan = out.get(f.entity);
    if (!plan) out.set(f.entity, (plan = { windows: [], seriesAt: new Map(), newest: [] }));
    const read = catalog.seriesReadBy(f);
    if (readsNewestOnly(f.aggregation)) {
      const series = read.numerator[0] as SeriesDefinition;
      const had = plan.newest.find((n) => n.series[0]?.name === series.name);
      if (had) had.windowMs = Math.max(had.windowMs, f.windowMs);
      else plan.newest.push({ windowMs: f.windowMs, series: [slot(series)] });
      continue;
    }
    for (const ladder of [read.numerator, read.denominator]) {
      if (ladder.length === 0) continue;
      const widths = ladder.map((s) => s.tileMs);
      if (!plan.windows.some((w) => w.windowMs === f.windowMs && w.widths.join() === widths.join())) plan.windows.push({ widths, windowMs: f.windowMs });
      for (const s of ladder) {
        const at = plan.seriesAt.get(s.tileMs) ?? [];
        plan.seriesAt.set(s.tileMs, at);
        if (!at.some((x) => x.name === s.name)) at.push(slot(s));
      }
    }
  }
  return out;
}

/** The scans of one entity at `at`: each width's stretches (overlapping ones joined), then the newest-tile scans. */
function spanRequests(plan: EntityPlan | undefined, e: EntityRef, at: number): SpanRequest[] {
  if (!plan) return [];
  const stretches = new Map<number, [number, number][]>();
  for (const w of plan.windows) {
    const asOf = tileStartOf(at, w.widths[0] as number);
    windowRanges(w.widths, asOf - w.windowMs, asOf, (level, lo, hi) => {
      const width = w.widths[level] as number;
      const ranges = stretches.get(width) ?? [];
      stretches.set(width, ranges);
      ranges.push([lo, hi]);
    });
  }
  const out: SpanRequest[] = [];
  for (const [tileMs, ranges] of stretches) {
    const series = plan.seriesAt.get(tileMs) as SpanRequest['series'];
    joined(ranges).forEach(([from, to], k) => out.push({ entity: e.type, entityId: e.id, tileMs, from, to, series, continues: k > 0 }));
  }
  for (const n of plan.newest) {
    const tileMs = (n.series[0] as SpanRequest['series'][number]).definition.tileMs;
    const to = tileStartOf(at, tileMs);
    out.push({ entity: e.type, entityId: e.id, tileMs, from: to - n.windowMs, to, series: n.series, latest: true });
  }
  return out;
}

/** Ranges sorted, overlapping or touching ones joined. */
function joined(ranges: [number, number][]): [number, number][] {
  const sorted = ranges.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}
