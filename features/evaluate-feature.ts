import type { FeatureCatalog } from './catalog';
import type { FeatureDefinition, SeriesDefinition } from './feature-definition';
import { decayMs, fromFixed, tileStartOf, valueScale, weightScale, type Tile } from './tile';
import { TileRun } from './tile-run';

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
  const n = run.count(from, to);
  const last = to > from ? (run.tiles[to - 1] as Tile) : undefined;
  const result = (value: number | null): FeatureValue => ({ value, asOf, lastEventAt: last ? last.lastTs : null });
  switch (f.aggregation) {
    case 'count':
      return result(n);
    case 'sum':
      return result(fromFixed(run.sum(from, to)));
    case 'mean':
      return result(n > 0 ? run.sum(from, to) / n / valueScale : null);
    case 'min':
      return result(n > 0 ? fromFixed(scan(run, from, to, (t, acc) => Math.min(t.min, acc), Infinity)) : null);
    case 'max':
      return result(n > 0 ? fromFixed(scan(run, from, to, (t, acc) => Math.max(t.max, acc), -Infinity)) : null);
    case 'last':
      return result(last ? fromFixed(last.lastValue) : null);
    case 'seconds_since_last':
      return result(last ? (at - last.lastTs) / 1000 : null);
    case 'rate_per_min':
      return result(fromFixed(run.sum(from, to)) / (f.windowMs / 60_000));
    case 'ratio':
      return result(ratio(run.sum(from, to), runOf(f.denominatorSeries as string), asOf - f.windowMs, asOf));
    case 'ewma':
      return result(n > 0 ? ewma(run, from, to, asOf, decayMs(series.halfLifeMs as number)) : null);
  }
}

function scan(run: TileRun, from: number, to: number, step: (t: Tile, acc: number) => number, init: number): number {
  let acc = init;
  for (let i = from; i < to; i++) acc = step(run.tiles[i] as Tile, acc);
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
    const t = run.tiles[i] as Tile;
    const decay = Math.exp((t.tileStart - asOf) / tau);
    num += (t.ewSum / valueScale) * decay;
    den += (t.ewWeight / weightScale) * decay;
  }
  return den > 0 ? num / den : null;
}
