import type { SeriesDefinition } from './feature-definition';
import { slotWidth } from './signal-slots';

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

const scratch = new Array<number>(slotWidth).fill(0);

export function singletonTile(series: SeriesDefinition, ts: number, value: number): Tile {
  const f = singletonFields(series, ts, value, scratch);
  return {
    tileStart: tileStartOf(ts, series.tileMs), count: f[0] as number, sum: f[1] as number, min: f[2] as number, max: f[3] as number,
    lastTs: f[4] as number, lastValue: f[5] as number, ewSum: f[6] as number, ewWeight: f[7] as number,
  };
}

/** The tile of one event as its 8 integers (a tile row's slot: count, sum, min, max, last_ts, last_value, ew_sum, ew_weight), written into `out` (reads fold millions of events: no object per event). */
export function singletonFields<T extends number[] | Float64Array>(series: SeriesDefinition, ts: number, value: number, out: T): T {
  const q = toFixed(value);
  const w = series.halfLifeMs ? Math.exp((ts - tileStartOf(ts, series.tileMs)) / decayMs(series.halfLifeMs)) : 0;
  out[0] = 1;
  out[1] = q;
  out[2] = q;
  out[3] = q;
  out[4] = ts;
  out[5] = q;
  out[6] = Math.round(value * w * valueScale);
  out[7] = Math.round(w * weightScale);
  return out;
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
