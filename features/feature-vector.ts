import type { FeatureCatalog } from './catalog';
import type { EntityRef } from './entity';
import { evaluateFeature, type FeatureValue } from './evaluate-feature';
import type { FeatureDefinition } from './feature-definition';
import type { TileRun } from './tile-run';

/** Every feature of one entity at one instant. */
export interface FeatureVector {
  entity: EntityRef;
  at: number;
  values: Record<string, number | null>;
  /** Per feature: up to when events are included, and the newest event counted. */
  freshness: Record<string, { asOf: number; lastEventAt: number | null }>;
}

/**
 * Evaluates all of an entity's features on its runs; freshness only when asked (training needs
 * none). `evaluate` replaces evaluateFeature (point-in-time reads reuse a value within a tile).
 */
export function featureVector(
  catalog: FeatureCatalog, entity: EntityRef, at: number, runOf: (series: string) => TileRun, withFreshness = true,
  evaluate: (f: FeatureDefinition) => FeatureValue = (f) => evaluateFeature(f, catalog, runOf, at),
): FeatureVector {
  const values: Record<string, number | null> = {};
  const freshness: FeatureVector['freshness'] = {};
  for (const f of catalog.featuresOf(entity.type)) {
    const v: FeatureValue = evaluate(f);
    values[f.name] = v.value;
    if (withFreshness) freshness[f.name] = { asOf: v.asOf, lastEventAt: v.lastEventAt };
  }
  return { entity, at, values, freshness };
}
