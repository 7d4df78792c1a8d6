import type { FeatureCatalog } from './catalog';
import type { EntityRef } from './entity';
import { evaluateFeature, type FeatureValue } from './evaluate-feature';
import { TileRun } from './tile-run';
import { seriesKeyString } from './tile-key';
import type { Tile } from './tile';

/** Every feature of one entity at one instant. */
export interface FeatureVector {
  entity: EntityRef;
  at: number;
  values: Record<string, number | null>;
  /** Per feature: up to when events are included, and the newest event counted. */
  freshness: Record<string, { asOf: number; lastEventAt: number | null }>;
}

/** Evaluates all of an entity's features on tiles already loaded (runs by series key). */
export function featureVector(catalog: FeatureCatalog, tenant: string, entity: EntityRef, at: number, runs: Map<string, TileRun>): FeatureVector {
  const runOf = (series: string) => runs.get(seriesKeyString({ tenant, entity: entity.type, entityId: entity.id, series })) ?? TileRun.empty;
  const values: Record<string, number | null> = {};
  const freshness: FeatureVector['freshness'] = {};
  for (const f of catalog.featuresOf(entity.type)) {
    const v: FeatureValue = evaluateFeature(f, catalog, runOf, at);
    values[f.name] = v.value;
    freshness[f.name] = { asOf: v.asOf, lastEventAt: v.lastEventAt };
  }
  return { entity, at, values, freshness };
}

export const toRuns = (tiles: Map<string, Tile[]>): Map<string, TileRun> =>
  new Map([...tiles].map(([k, t]) => [k, new TileRun(t)]));
