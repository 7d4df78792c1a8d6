import type { EntityType } from './entity';

/**
 * A signal is a number observed at an event time for an entity (a hub's arrival delay, a
 * device's speed). A series stores one signal in tiles of a fixed width; features aggregate
 * tiles. Definitions are data: the updater, the online store, the historical reader and the
 * tests all interpret the same list.
 */
export interface SeriesDefinition {
  /** Stable storage key, e.g. `hub.arrival_delay_min@1m`. */
  name: string;
  entity: EntityType;
  signal: string;
  /** Tile width: a feature sees events up to the start of the tile holding the read time. */
  tileMs: number;
  /** Half-life of the exponentially weighted mean kept in each tile, when a feature needs one. */
  halfLifeMs?: number;
}

export type Aggregation =
  | 'count'
  | 'sum'
  | 'mean'
  | 'min'
  | 'max'
  | 'last'
  | 'seconds_since_last'
  | 'rate_per_min'
  | 'ewma'
  | 'ratio';

/**
 * Last-value aggregations read only their own series (online: its newest tile); every other
 * aggregation composes over tiles of any width, so it reads its window through the series' ladder.
 */
export const readsNewestOnly = (aggregation: Aggregation): boolean => aggregation === 'last' || aggregation === 'seconds_since_last';

export interface FeatureDefinition {
  /** `<entity>.<what>_<window>`, e.g. `hub.arrival_delay_mean_1h`. */
  name: string;
  entity: EntityType;
  series: string;
  /** Only for `ratio`: the series whose sum divides this one's. */
  denominatorSeries?: string;
  aggregation: Aggregation;
  /** Length of the window (for last/seconds_since_last: how far back to look); a multiple of the tile width. */
  windowMs: number;
  description: string;
}
