import type { Knex } from 'knex';
import type { FeatureCatalog } from './catalog';
import { defaultCatalog } from './definitions';
import type { EntityRef } from './entity';
import { entityRuns, featureVector, toRuns, type FeatureVector } from './feature-vector';
import { loadTiles, type TileRequest } from './store/load-tiles';
import { tileStartOf } from './tile';

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
  /** Entities per database round trip; default 50 (each holds every tile of its rows' span in memory). */
  entitiesPerQuery?: number;
}

/**
 * Point-in-time features for training: for every row, exactly the values an online read at
 * `row.at` returns (the same evaluator on the same tiles), so only events before `at` count.
 * Tiles are loaded once per entity for the span of its rows. Results keep the rows' order.
 */
export async function getHistoricalFeatures(db: Knex, request: HistoricalRequest): Promise<FeatureVector[]> {
  const catalog = request.catalog ?? defaultCatalog;
  const byEntity = groupByEntity(request.rows);
  const out: FeatureVector[] = new Array(request.rows.length);
  const groups = [...byEntity.values()];
  const step = request.entitiesPerQuery ?? 50;
  for (let i = 0; i < groups.length; i += step) {
    const chunk = groups.slice(i, i + step);
    const runs = toRuns(await loadTiles(db, request.tenant, chunk.flatMap((g) => spanRequests(catalog, g))));
    for (const g of chunk) {
      const runOf = entityRuns(catalog, request.tenant, g.entity, runs);
      for (const index of g.indexes) {
        const row = request.rows[index] as HistoricalRow;
        out[index] = featureVector(catalog, row.entity, row.at, runOf, request.withFreshness ?? false);
      }
    }
  }
  return out;
}

interface EntityGroup {
  entity: EntityRef;
  indexes: number[];
  minAt: number;
  maxAt: number;
}

function groupByEntity(rows: HistoricalRow[]): Map<string, EntityGroup> {
  const groups = new Map<string, EntityGroup>();
  rows.forEach((row, index) => {
    const key = `${row.entity.type}\u0000${row.entity.id}`;
    const g = groups.get(key);
    if (g) {
      g.indexes.push(index);
      g.minAt = Math.min(g.minAt, row.at);
      g.maxAt = Math.max(g.maxAt, row.at);
    } else groups.set(key, { entity: row.entity, indexes: [index], minAt: row.at, maxAt: row.at });
  });
  return groups;
}

/** Per series, every tile any row of the entity could read. */
function spanRequests(catalog: FeatureCatalog, g: EntityGroup): TileRequest[] {
  const out = new Map<string, TileRequest>();
  for (const f of catalog.featuresOf(g.entity.type)) {
    for (const name of [f.series, f.denominatorSeries]) {
      const series = name === undefined ? undefined : catalog.series.get(name);
      if (!series) continue;
      const from = Math.min(out.get(series.name)?.from ?? Infinity, tileStartOf(g.minAt, series.tileMs) - f.windowMs);
      out.set(series.name, {
        entity: g.entity.type, entityId: g.entity.id, series: series.name, tileMs: series.tileMs, slot: catalog.slotOf(series.name),
        from, to: tileStartOf(g.maxAt, series.tileMs), latestOnly: false,
      });
    }
  }
  return [...out.values()];
}
