import type { Tile } from './tile';

/**
 * The tiles of one entity's series in time order, one array per field rather than an object
 * per tile (historical reads hold millions of tiles; objects cost allocation and GC). Running
 * totals of count and sum are integers (fixed point), so a difference of running totals equals
 * the direct sum exactly.
 */
export class TileRun {
  readonly starts: number[] = [];
  readonly counts: number[] = [];
  readonly sums: number[] = [];
  readonly mins: number[] = [];
  readonly maxs: number[] = [];
  readonly lastTs: number[] = [];
  readonly lastValues: number[] = [];
  readonly ewSums: number[] = [];
  readonly ewWeights: number[] = [];
  private countTotals?: Float64Array;
  private sumTotals?: Float64Array;

  static empty = new TileRun();

  static of(tiles: readonly Tile[]): TileRun {
    const run = new TileRun();
    for (const t of tiles) run.push(t.tileStart, [t.count, t.sum, t.min, t.max, t.lastTs, t.lastValue, t.ewSum, t.ewWeight], 0);
    return run;
  }

  get length(): number {
    return this.starts.length;
  }

  /** Appends the tile starting at `start` whose 8 integers are v[o..o+7] (a slot of a tile row); callers push in time order. */
  push(start: number, v: ArrayLike<number>, o: number): void {
    this.starts.push(start);
    this.counts.push(v[o] as number);
    this.sums.push(v[o + 1] as number);
    this.mins.push(v[o + 2] as number);
    this.maxs.push(v[o + 3] as number);
    this.lastTs.push(v[o + 4] as number);
    this.lastValues.push(v[o + 5] as number);
    this.ewSums.push(v[o + 6] as number);
    this.ewWeights.push(v[o + 7] as number);
  }

  /** Index of the first tile starting at or after `ms`. */
  lowerBound(ms: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as number) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  count(from: number, to: number): number {
    const t = (this.countTotals ??= totals(this.counts));
    return (t[to] as number) - (t[from] as number);
  }

  sum(from: number, to: number): number {
    const t = (this.sumTotals ??= totals(this.sums));
    return (t[to] as number) - (t[from] as number);
  }
}

function totals(values: number[]): Float64Array {
  const out = new Float64Array(values.length + 1);
  for (let i = 0; i < values.length; i++) out[i + 1] = (out[i] as number) + (values[i] as number);
  return out;
}
