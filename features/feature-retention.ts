import { FlowcastError } from '../core/errors';
import type { FeatureCatalog } from './catalog';
import type { EntityType } from './entity';
import type { SeriesDefinition } from './feature-definition';

export class FeatureRetentionError extends FlowcastError {
  constructor(message: string) {
    super('FC_FEATURE_RETENTION', message, 500);
  }
}

/** A read whose windows reach before the pruned horizon: its values would be computed on part of a window. */
export class FeatureStatePrunedError extends FlowcastError {
  /** `row`: the offending row of a point-in-time request. */
  constructor(message: string, details: { row?: number; at: number; firstReadableAt: number; prunedBefore: number }) {
    super('FC_FEATURES_PRUNED', message, 410, details);
  }
}

/**
 * The shortest retention that changes nothing an online read or ingest does: the longest window
 * and widest tile a read at `now` reaches back over, plus the allowed lateness (an event that late
 * still lands in its tile, which must not have been deleted).
 */
export function minimumRetentionMs(catalog: FeatureCatalog, allowedLatenessMs: number): number {
  return longestWindowMs(catalog) + widestTileMs(catalog) + allowedLatenessMs;
}

/**
 * The first read time at which every window of an entity type's features (of every type, if none
 * is given) starts at or after `prunedBefore`: the earliest a read can be once state before it is gone.
 */
export function firstReadableAt(prunedBefore: number, catalog: FeatureCatalog, entity?: EntityType): number {
  return prunedBefore + longestWindowMs(catalog, entity) + widestTileMs(catalog, entity);
}

const featuresOf = (catalog: FeatureCatalog, entity?: EntityType) => (entity === undefined ? catalog.features : catalog.featuresOf(entity));
const longestWindowMs = (catalog: FeatureCatalog, entity?: EntityType): number => Math.max(0, ...featuresOf(catalog, entity).map((f) => f.windowMs));
// Of the series features are defined on: the coarser copies their windows are also read from
// (catalog.ladderOf) hold only tiles inside those windows, so they reach no further back.
const widestTileMs = (catalog: FeatureCatalog, entity?: EntityType): number =>
  Math.max(0, ...featuresOf(catalog, entity).map((f) => (catalog.series.get(f.series) as SeriesDefinition).tileMs));

/** The instant before which state may be deleted, keeping `retentionMs`; refuses a retention shorter than the minimum. */
export function pruneHorizon(now: number, retentionMs: number, catalog: FeatureCatalog, allowedLatenessMs: number): number {
  const minimum = minimumRetentionMs(catalog, allowedLatenessMs);
  if (!(retentionMs >= minimum)) {
    throw new FeatureRetentionError(
      `a feature retention of ${hours(retentionMs)} h is shorter than the ${hours(minimum)} h that online reads and late events need (longest window + widest tile + allowed lateness)`,
    );
  }
  return now - retentionMs;
}

const hours = (ms: number): string => String(Math.round((ms / 3_600_000) * 100) / 100);
