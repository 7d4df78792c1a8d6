import type { FeatureCatalog } from './catalog';
import type { EntityRef } from './entity';
import { evaluateFeature, type FeatureValue } from './evaluate-feature';
import { TileRun } from './tile-run';
import { seriesKeyString } from './tile-key';

/** Every feature of one entity at one instant. */
export interface FeatureVector {
  entity: EntityRef;
  at: number;
  values: Record<string, number | null>;
  /** Per feature: up to when events are included, and the newest event counted. */
  freshness: Record<string, { asOf: number; lastEventAt: number | null }>;
}

/** The runs of one entity's series, resolved once per entity (not once per feature and row). */
export function entityRuns(catalog: FeatureCatalog, tenant: string, entity: EntityRef, runs: Map<string, TileRun>): (series: string) => TileRun {
  const mine = new Map<string, TileRun>();
  for (const f of catalog.featuresOf(entity.type)) {
    for (const s of [f.series, f.denominatorSeries]) {
      if (s === undefined || mine.has(s)) continue;
      mine.set(s, runs.get(seriesKeyString({ tenant, entity: entity.type, entityId: entity.id, series: s })) ?? TileRun.empty);
    }
  }
  return (series) => mine.get(series) ?? TileRun.empty;
}

/** Evaluates all of an entity's features on its runs; freshness only when asked (training needs none). */
export function featureVector(catalog: FeatureCatalog, entity: EntityRef, at: number, runOf: (series: string) => TileRun, withFreshness = true): FeatureVector {
  const values: Record<string, number | null> = {};
  const freshness: FeatureVector['freshness'] = {};
  for (const f of catalog.featuresOf(entity.type)) {
    const v: FeatureValue = evaluateFeature(f, catalog, runOf, at);
    values[f.name] = v.value;
    if (withFreshness) freshness[f.name] = { asOf: v.asOf, lastEventAt: v.lastEventAt };
  }
  return { entity, at, values, freshness };
}
