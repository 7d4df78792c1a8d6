import type { Knex } from 'knex';
import type { FeatureCatalog } from './catalog';
import { defaultCatalog } from './definitions';
import type { EntityRef } from './entity';
import { entityRuns, featureVector, type FeatureVector } from './feature-vector';
import { loadTiles, type TileRequest } from './store/load-tiles';
import { tileStartOf } from './tile';

export interface OnlineRequest {
  tenant: string;
  entities: EntityRef[];
  /** Read time, epoch ms; default now. A past instant gives what a read then would have given. */
  at?: number;
  catalog?: FeatureCatalog;
}

/**
 * The features of a few entities as of `at`, read straight from the tiles in one statement:
 * for each series only the tiles its windows cover (the newest one for last-value features).
 */
export async function getOnlineFeatures(db: Knex, request: OnlineRequest): Promise<FeatureVector[]> {
  const catalog = request.catalog ?? defaultCatalog;
  const at = request.at ?? Date.now();
  const requests = request.entities.flatMap((e) => tileRequests(catalog, e, at));
  const runs = await loadTiles(db, request.tenant, requests);
  return request.entities.map((e) => featureVector(catalog, e, at, entityRuns(catalog, request.tenant, e, runs)));
}

const lastValued = new Set(['last', 'seconds_since_last']);

function tileRequests(catalog: FeatureCatalog, entity: EntityRef, at: number): TileRequest[] {
  const out = new Map<string, TileRequest>();
  for (const f of catalog.featuresOf(entity.type)) {
    for (const name of [f.series, f.denominatorSeries]) {
      if (name === undefined) continue;
      const series = catalog.series.get(name);
      if (!series) continue;
      const latestOnly = lastValued.has(f.aggregation);
      const to = tileStartOf(at, series.tileMs);
      const key = `${name}\u0000${latestOnly}`;
      const wider = Math.min(out.get(key)?.from ?? Infinity, to - f.windowMs);
      out.set(key, { entity: entity.type, entityId: entity.id, series: name, tileMs: series.tileMs, slot: catalog.slotOf(name), from: wider, to, latestOnly });
    }
  }
  return [...out.values()];
}
