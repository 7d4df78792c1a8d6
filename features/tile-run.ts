import type { SeriesDefinition } from './feature-definition';
import { slotWidth } from './signal-slots';
import { singletonFields, tileStartOf, type Tile } from './tile';
import { mergeSlot } from './tile-row';

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

  /**
   * Folds one event of `series` in, as ingest folds it into a tile row (mergeSlot): the
   * same integers whatever order the events of one tile come in. Callers add in time order.
   */
  addEvent(series: SeriesDefinition, ts: number, value: number): void {
    const fields = singletonFields(series, ts, value, scratch);
    const start = tileStartOf(ts, series.tileMs);
    if (this.length > 0 && this.starts[this.length - 1] === start) this.mergeIntoLast(fields, 0);
    else this.push(start, fields, 0);
  }

  /** Both runs' tiles in time order, tiles with the same start merged. */
  static merge(a: TileRun, b: TileRun): TileRun {
    return TileRun.combine(a, b, true);
  }

  /**
   * Both runs' tiles in time order, a tile both hold kept once: the one with the larger count (a
   * newest-events scan holds only the newest instant's events of a tile a stretch holds whole).
   */
  static union(a: TileRun, b: TileRun): TileRun {
    return TileRun.combine(a, b, false);
  }

  private static combine(a: TileRun, b: TileRun, mergeSameStart: boolean): TileRun {
    if (b.length === 0) return a;
    if (a.length === 0) return b;
    const out = new TileRun();
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const takeA = j >= b.length || (i < a.length && (a.starts[i] as number) <= (b.starts[j] as number));
      const [run, k] = takeA ? [a, i++] : [b, j++];
      const fields = run.fieldsAt(k, scratch);
      const same = out.length > 0 && out.starts[out.length - 1] === run.starts[k];
      if (!same) out.push(run.starts[k] as number, fields, 0);
      else if (mergeSameStart) out.mergeIntoLast(fields, 0);
      else if ((fields[0] as number) > (out.counts[out.length - 1] as number)) out.replaceLast(fields);
    }
    return out;
  }

  private fieldsAt(k: number, out: Float64Array): Float64Array {
    out[0] = this.counts[k] as number;
    out[1] = this.sums[k] as number;
    out[2] = this.mins[k] as number;
    out[3] = this.maxs[k] as number;
    out[4] = this.lastTs[k] as number;
    out[5] = this.lastValues[k] as number;
    out[6] = this.ewSums[k] as number;
    out[7] = this.ewWeights[k] as number;
    return out;
  }

  /** The newest tile becomes v[0..7]. */
  private replaceLast(v: ArrayLike<number>): void {
    const k = this.length - 1;
    this.counts[k] = v[0] as number;
    this.sums[k] = v[1] as number;
    this.mins[k] = v[2] as number;
    this.maxs[k] = v[3] as number;
    this.lastTs[k] = v[4] as number;
    this.lastValues[k] = v[5] as number;
    this.ewSums[k] = v[6] as number;
    this.ewWeights[k] = v[7] as number;
  }

  /** Adds the tile v[o..o+7] into the newest tile (mergeSlot's rule). */
  private mergeIntoLast(v: ArrayLike<number>, o: number): void {
    const last = this.fieldsAt(this.length - 1, lastScratch);
    mergeSlot(last, 0, v, o);
    this.replaceLast(last);
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

const scratch = new Float64Array(slotWidth);
const lastScratch = new Float64Array(slotWidth);

function totals(values: number[]): Float64Array {
  const out = new Float64Array(values.length + 1);
  for (let i = 0; i < values.length; i++) out[i + 1] = (out[i] as number) + (values[i] as number);
  return out;
}
