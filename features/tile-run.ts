import type { Tile } from './tile';

/**
 * The tiles of one entity's series in time order, with running totals of count and sum. Both
 * are integers (fixed point), so a difference of running totals equals the direct sum exactly.
 */
export class TileRun {
  private countTotals?: Float64Array;
  private sumTotals?: Float64Array;

  constructor(readonly tiles: readonly Tile[]) {}

  static empty = new TileRun([]);

  /** Index of the first tile starting at or after `ms`. */
  lowerBound(ms: number): number {
    let lo = 0;
    let hi = this.tiles.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.tiles[mid] as Tile).tileStart < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  count(from: number, to: number): number {
    const t = (this.countTotals ??= this.totals((x) => x.count));
    return (t[to] as number) - (t[from] as number);
  }

  sum(from: number, to: number): number {
    const t = (this.sumTotals ??= this.totals((x) => x.sum));
    return (t[to] as number) - (t[from] as number);
  }

  private totals(pick: (t: Tile) => number): Float64Array {
    const out = new Float64Array(this.tiles.length + 1);
    for (let i = 0; i < this.tiles.length; i++) out[i + 1] = (out[i] as number) + pick(this.tiles[i] as Tile);
    return out;
  }
}
