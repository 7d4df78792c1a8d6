import type { FeatureCatalog } from './catalog';
import type { FeatureDefinition, SeriesDefinition } from './feature-definition';
import { decayMs, fromFixed, tileStartOf, valueScale, weightScale } from './tile';
import type { TileRun } from './tile-run';

export interface FeatureValue {
  value: number | null;
  /** Events before this instant are in the value (the start of the tile holding the read time). */
  asOf: number;
  /** Event time of the newest event in the window, if any. */
  lastEventAt: number | null;
}

/**
 * The value of a feature at time `at`: the aggregate of the events of the whole tiles in
 * [asOf − window, asOf), where asOf is the start of the tile holding `at`. Only events strictly
 * before `at` can count, so nothing later ever leaks in. Online and historical reads both call
 * this, on the tiles they loaded.
 */
export function evaluateFeature(f: FeatureDefinition, catalog: FeatureCatalog, runOf: (series: string) => TileRun, at: number): FeatureValue {
  const series = catalog.series.get(f.series) as SeriesDefinition;
  const asOf = tileStartOf(at, series.tileMs);
  const run = runOf(f.series);
  const from = run.lowerBound(asOf - f.windowMs);
  const to = run.lowerBound(asOf);
  return { value: evaluateOn(f, series, run, runOf, at), asOf, lastEventAt: to > from ? (run.lastTs[to - 1] as number) : null };
}

/**
 * Aggregations whose value moves with the read time itself; every other value depends on the
 * read time only through the start of the tile holding it (asOf), so reads in one tile may share it.
 */
export const isClockDependent = (aggregation: FeatureDefinition['aggregation']): boolean => aggregation === 'seconds_since_last';

/** The value alone (no object), the feature's series and run looked up once by the caller: what training columns read, millions of times. */
export function evaluateOn(f: FeatureDefinition, series: SeriesDefinition, run: TileRun, runOf: (series: string) => TileRun, at: number): number | null {
  const asOf = tileStartOf(at, series.tileMs);
  const from = run.lowerBound(asOf - f.windowMs);
  const to = run.lowerBound(asOf);
  const n = run.count(from, to);
  switch (f.aggregation) {
    case 'count':
      return n;
    case 'sum':
      return fromFixed(run.sum(from, to));
    case 'mean':
      return n > 0 ? run.sum(from, to) / n / valueScale : null;
    case 'min':
      return n > 0 ? fromFixed(extreme(run.mins, from, to, Math.min, Infinity)) : null;
    case 'max':
      return n > 0 ? fromFixed(extreme(run.maxs, from, to, Math.max, -Infinity)) : null;
    case 'last':
      return to > from ? fromFixed(run.lastValues[to - 1] as number) : null;
    case 'seconds_since_last':
      return to > from ? (at - (run.lastTs[to - 1] as number)) / 1000 : null;
    case 'rate_per_min':
      return fromFixed(run.sum(from, to)) / (f.windowMs / 60_000);
    case 'ratio':
      return ratio(run.sum(from, to), runOf(f.denominatorSeries as string), asOf - f.windowMs, asOf);
    case 'ewma':
      return n > 0 ? ewma(run, from, to, asOf, decayMs(series.halfLifeMs as number)) : null;
  }
}

function extreme(values: number[], from: number, to: number, pick: (a: number, b: number) => number, init: number): number {
  let acc = init;
  for (let i = from; i < to; i++) acc = pick(acc, values[i] as number);
  return acc;
}

function ratio(numerator: number, den: TileRun, lo: number, hi: number): number | null {
  const d = den.sum(den.lowerBound(lo), den.lowerBound(hi));
  return d === 0 ? null : numerator / d;
}

/** Each tile's Σx·w and Σw are decayed from the tile's start to asOf; their ratio is the EWMA. */
function ewma(run: TileRun, from: number, to: number, asOf: number, tau: number): number | null {
  let num = 0;
  let den = 0;
  for (let i = from; i < to; i++) {
    const decay = Math.exp(((run.starts[i] as number) - asOf) / tau);
    num += ((run.ewSums[i] as number) / valueScale) * decay;
    den += ((run.ewWeights[i] as number) / weightScale) * decay;
  }
  return den > 0 ? num / den : null;
}
