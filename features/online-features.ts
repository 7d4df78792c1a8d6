import type { Knex } from 'knex';
import type { FeatureCatalog } from './catalog';
import { defaultCatalog } from './definitions';
import type { EntityRef, EntityType } from './entity';
import { featureVector, type FeatureVector } from './feature-vector';
import { fieldsRead } from './slot-fields';
import { loadTileSpans, type SpanRequest } from './store/load-tile-spans';
import { tileStartOf } from './tile';
import { TileRun } from './tile-run';

export interface OnlineRequest {
  tenant: string;
  entities: EntityRef[];
  /** Read time, epoch ms; default now. A past instant gives what a read then would have given. */
  at?: number;
  catalog?: FeatureCatalog;
}

/**
 * The features of a few entities as of `at`, read straight from the tiles in one (prepared)
 * statement: per entity and tile width one range scan over the longest window, and for a series
 * only last-value features read, one backward scan to its newest tile.
 */
export async function getOnlineFeatures(db: Knex, request: OnlineRequest): Promise<FeatureVector[]> {
  const catalog = request.catalog ?? defaultCatalog;
  const at = request.at ?? Date.now();
  const plans = onlinePlans(catalog);
  const perEntity = request.entities.map((e) => (plans.get(e.type) ?? []).map((p) => spanRequest(p, e, at)));
  const runs = await loadTileSpans(db, request.tenant, perEntity.flat());
  let r = 0;
  return request.entities.map((e, k) => {
    const mine = new Map<string, TileRun>();
    for (let n = (perEntity[k] as SpanRequest[]).length; n > 0; n--) for (const [name, run] of runs[r++] as Map<string, TileRun>) mine.set(name, run);
    return featureVector(catalog, e, at, (series) => mine.get(series) ?? TileRun.empty);
  });
}

interface ScanPlan {
  tileMs: number;
  windowMs: number;
  series: SpanRequest['series'];
  latest: boolean;
}

const lastValued = new Set(['last', 'seconds_since_last']);
const planCache = new WeakMap<FeatureCatalog, Map<EntityType, ScanPlan[]>>();

/** Worked out once per catalog: which scans an entity type's features need. */
function onlinePlans(catalog: FeatureCatalog): Map<EntityType, ScanPlan[]> {
  let plans = planCache.get(catalog);
  if (!plans) planCache.set(catalog, (plans = buildPlans(catalog)));
  return plans;
}

function buildPlans(catalog: FeatureCatalog): Map<EntityType, ScanPlan[]> {
  // Per series: the longest window over it, and whether anything but last-value features reads it.
  const needs = new Map<string, { entity: EntityType; windowMs: number; windowed: boolean }>();
  for (const f of catalog.features) {
    for (const name of [f.series, f.denominatorSeries]) {
      if (name === undefined) continue;
      const had = needs.get(name);
      needs.set(name, { entity: f.entity, windowMs: Math.max(had?.windowMs ?? 0, f.windowMs), windowed: (had?.windowed ?? false) || !lastValued.has(f.aggregation) });
    }
  }
  const out = new Map<EntityType, ScanPlan[]>();
  const spans = new Map<string, ScanPlan>();
  for (const [name, need] of needs) {
    const series = catalog.series.get(name);
    if (!series) continue;
    const plans = out.get(need.entity) ?? [];
    out.set(need.entity, plans);
    // Online vectors carry freshness, so last_ts is read too.
    const slot = { name, slot: catalog.slotOf(name), definition: series, fields: fieldsRead(catalog, name, true) };
    if (!need.windowed) {
      plans.push({ tileMs: series.tileMs, windowMs: need.windowMs, series: [slot], latest: true });
      continue;
    }
    const key = `${need.entity}/${series.tileMs}`;
    let span = spans.get(key);
    if (!span) {
      spans.set(key, (span = { tileMs: series.tileMs, windowMs: 0, series: [], latest: false }));
      plans.push(span);
    }
    span.windowMs = Math.max(span.windowMs, need.windowMs);
    span.series.push(slot);
  }
  return out;
}

function spanRequest(p: ScanPlan, e: EntityRef, at: number): SpanRequest {
  const to = tileStartOf(at, p.tileMs);
  return { entity: e.type, entityId: e.id, tileMs: p.tileMs, from: to - p.windowMs, to, series: p.series, latest: p.latest };
}
