import type { SeriesDefinition } from './feature-definition';

/** Values are kept as integers in units of 10^-4 (fixed point), EWMA weights in units of 10^-9. */
export const valueScale = 10_000;
export const weightScale = 1_000_000_000;

export const toFixed = (value: number): number => Math.round(value * valueScale);
export const fromFixed = (q: number): number => q / valueScale;

/**
 * The state of one series of one entity over [tileStart, tileStart + tileMs), in fixed point.
 * Every field merges commutatively and associatively with exact integer arithmetic (mergeTiles),
 * so a tile holds the same numbers whatever order and grouping of reports built it: per batch,
 * per consumer, or replayed after a crash.
 */
export interface Tile {
  tileStart: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Latest event time in the tile and its value (the larger value on a tie). */
  lastTs: number;
  lastValue: number;
  /** Σ x·w and Σ w with w = exp((ts − tileStart)/τ): an EWMA rescales them to any later time. */
  ewSum: number;
  ewWeight: number;
}

export const tileStartOf = (ts: number, tileMs: number): number => Math.floor(ts / tileMs) * tileMs;

/** τ of an exponential decay with the given half-life. */
export const decayMs = (halfLifeMs: number): number => halfLifeMs / Math.LN2;

export function singletonTile(series: SeriesDefinition, ts: number, value: number): Tile {
  const tileStart = tileStartOf(ts, series.tileMs);
  const q = toFixed(value);
  const w = series.halfLifeMs ? Math.exp((ts - tileStart) / decayMs(series.halfLifeMs)) : 0;
  return {
    tileStart, count: 1, sum: q, min: q, max: q, lastTs: ts, lastValue: q,
    ewSum: Math.round(value * w * valueScale), ewWeight: Math.round(w * weightScale),
  };
}

/** a ⊕ b for two tiles of the same key (the SQL upsert does the same). */
export function mergeTiles(a: Tile, b: Tile): Tile {
  const bLater = b.lastTs > a.lastTs || (b.lastTs === a.lastTs && b.lastValue > a.lastValue);
  return {
    tileStart: a.tileStart,
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    lastTs: bLater ? b.lastTs : a.lastTs,
    lastValue: bLater ? b.lastValue : a.lastValue,
    ewSum: a.ewSum + b.ewSum,
    ewWeight: a.ewWeight + b.ewWeight,
  };
}
