import type { FeatureCatalog } from './catalog';
import type { Aggregation, FeatureDefinition, SeriesDefinition } from './feature-definition';
import { decayMs, fromFixed, tileStartOf, valueScale, weightScale } from './tile';
import type { TileRun } from './tile-run';
import { WindowPieces } from './window-pieces';

export interface FeatureValue {
  value: number | null;
  /** Events before this instant are in the value (the start of the tile holding the read time). */
  asOf: number;
  /** Event time of the newest event in the window, if any. */
  lastEventAt: number | null;
}

/**
 * Aggregations whose value moves with the read time itself; every other value depends on the
 * read time only through the start of the tile holding it (asOf), so reads in one tile may share it.
 */
export const isClockDependent = (aggregation: Aggregation): boolean => aggregation === 'seconds_since_last';

/** A feature with the runs it reads looked up once (per entity): its series' ladder and, for a ratio, the denominator's. */
export interface BoundFeature {
  feature: FeatureDefinition;
  /** The finest width: asOf is the start of its tile holding the read time. */
  tileMs: number;
  widths: number[];
  runs: TileRun[];
  denominator?: { widths: number[]; runs: TileRun[] };
  /** EWMA decay constant (ms). */
  tau: number;
}

export function bindFeature(f: FeatureDefinition, catalog: FeatureCatalog, runOf: (series: string) => TileRun): BoundFeature {
  const read = catalog.seriesReadBy(f);
  const bind = (series: readonly SeriesDefinition[]) => ({ widths: series.map((s) => s.tileMs), runs: series.map((s) => runOf(s.name)) });
  const { widths, runs } = bind(read.numerator);
  const halfLifeMs = read.numerator[0]?.halfLifeMs;
  return {
    feature: f, tileMs: widths[0] as number, widths, runs,
    ...(read.denominator.length > 0 ? { denominator: bind(read.denominator) } : {}),
    tau: halfLifeMs ? decayMs(halfLifeMs) : 0,
  };
}

/**
 * The value of a feature at time `at`: the aggregate of the events of the whole tiles in
 * [asOf − window, asOf), where asOf is the start of the tile holding `at`. Only events strictly
 * before `at` can count, so nothing later ever leaks in. Online and historical reads both call
 * this, on the tiles they loaded.
 */
export function evaluateFeature(f: FeatureDefinition, catalog: FeatureCatalog, runOf: (series: string) => TileRun, at: number): FeatureValue {
  return evaluateBound(bindFeature(f, catalog, runOf), at);
}

export function evaluateBound(b: BoundFeature, at: number): FeatureValue {
  const asOf = tileStartOf(at, b.tileMs);
  const p = pieces.cut(b.runs, b.widths, asOf - b.feature.windowMs, asOf);
  return { value: aggregate(b, p, at, asOf), asOf, lastEventAt: newest(p, (run, i) => run.lastTs[i] as number) };
}

/** The value alone (no object): what training columns read, millions of times. */
export function evaluateOn(b: BoundFeature, at: number): number | null {
  const asOf = tileStartOf(at, b.tileMs);
  return aggregate(b, pieces.cut(b.runs, b.widths, asOf - b.feature.windowMs, asOf), at, asOf);
}

// Reused for every evaluation (evaluation is synchronous): no piece arrays allocated per value.
const pieces = new WindowPieces();
const denominatorPieces = new WindowPieces();

function aggregate(b: BoundFeature, p: WindowPieces, at: number, asOf: number): number | null {
  const f = b.feature;
  switch (f.aggregation) {
    case 'count':
      return total(p, countOf);
    case 'sum':
      return fromFixed(total(p, sumOf));
    case 'mean': {
      const n = total(p, countOf);
      return n > 0 ? total(p, sumOf) / n / valueScale : null;
    }
    case 'min':
      return total(p, countOf) > 0 ? fromFixed(extreme(p, (run) => run.mins, Math.min, Infinity)) : null;
    case 'max':
      return total(p, countOf) > 0 ? fromFixed(extreme(p, (run) => run.maxs, Math.max, -Infinity)) : null;
    case 'last':
      return newest(p, (run, i) => fromFixed(run.lastValues[i] as number));
    case 'seconds_since_last': {
      const ts = newest(p, (run, i) => run.lastTs[i] as number);
      return ts === null ? null : (at - ts) / 1000;
    }
    case 'rate_per_min':
      return fromFixed(total(p, sumOf)) / (f.windowMs / 60_000);
    case 'ratio': {
      const den = b.denominator as NonNullable<BoundFeature['denominator']>;
      const d = total(denominatorPieces.cut(den.runs, den.widths, asOf - f.windowMs, asOf), sumOf);
      return d === 0 ? null : total(p, sumOf) / d;
    }
    case 'ewma':
      return total(p, countOf) > 0 ? ewma(p, asOf, b.tau) : null;
  }
}

const countOf = (run: TileRun, from: number, to: number): number => run.count(from, to);
const sumOf = (run: TileRun, from: number, to: number): number => run.sum(from, to);

function total(p: WindowPieces, of: (run: TileRun, from: number, to: number) => number): number {
  let acc = 0;
  for (let k = 0; k < p.length; k++) acc += of(p.runs[k] as TileRun, p.from[k] as number, p.to[k] as number);
  return acc;
}

function extreme(p: WindowPieces, values: (run: TileRun) => number[], pick: (a: number, b: number) => number, init: number): number {
  let acc = init;
  for (let k = 0; k < p.length; k++) {
    const v = values(p.runs[k] as TileRun);
    for (let i = p.from[k] as number; i < (p.to[k] as number); i++) acc = pick(acc, v[i] as number);
  }
  return acc;
}

/** `read` of the newest tile in the window (runs hold no empty tiles), or null when there is none. */
function newest<T>(p: WindowPieces, read: (run: TileRun, i: number) => T): T | null {
  for (let k = p.length - 1; k >= 0; k--) {
    if ((p.to[k] as number) > (p.from[k] as number)) return read(p.runs[k] as TileRun, (p.to[k] as number) - 1);
  }
  return null;
}

/** Each tile's Σx·w and Σw are decayed from the tile's start to asOf; their ratio is the EWMA. */
function ewma(p: WindowPieces, asOf: number, tau: number): number | null {
  let num = 0;
  let den = 0;
  for (let k = 0; k < p.length; k++) {
    const run = p.runs[k] as TileRun;
    for (let i = p.from[k] as number; i < (p.to[k] as number); i++) {
      const decay = Math.exp(((run.starts[i] as number) - asOf) / tau);
      num += ((run.ewSums[i] as number) / valueScale) * decay;
      den += ((run.ewWeights[i] as number) / weightScale) * decay;
    }
  }
  return den > 0 ? num / den : null;
}
