import type { TileRun } from './tile-run';

/**
 * The tiles that hold exactly the events of [lo, hi), taken from a ladder of runs (the same
 * signal in tiles of growing width, each a multiple of the one before; lo and hi multiples of the
 * finest): the middle from the widest tiles that fit whole, the edges from narrower ones. A day's
 * window over 15 min tiles becomes ~23 hour tiles and at most 6 quarter-hour ones instead of 96:
 * fewer rows to read, the same events.
 */
export class WindowPieces {
  /** Piece k is runs[k] indexes [from[k], to[k]), pieces in time order. */
  readonly runs: TileRun[] = [];
  readonly from: number[] = [];
  readonly to: number[] = [];
  length = 0;

  /** Fills the pieces of [lo, hi) (reusing this object's arrays); `widths[k]` is the tile width of `ladder[k]`. */
  cut(ladder: readonly TileRun[], widths: readonly number[], lo: number, hi: number): this {
    this.length = 0;
    windowRanges(widths, lo, hi, (level, a, b) => {
      const run = ladder[level] as TileRun;
      const k = this.length++;
      this.runs[k] = run;
      this.from[k] = run.lowerBound(a);
      this.to[k] = run.lowerBound(b);
    });
    return this;
  }
}

/**
 * Splits [lo, hi) into consecutive ranges, each read from one width of the ladder (level k:
 * widths[k]): the widest whose whole tiles fit in the middle, narrower ones at the edges. Also
 * what an online read fetches.
 */
export function windowRanges(widths: readonly number[], lo: number, hi: number, out: (level: number, lo: number, hi: number) => void, level = widths.length - 1): void {
  if (lo >= hi) return;
  const w = widths[level] as number;
  const a = Math.ceil(lo / w) * w;
  const b = Math.floor(hi / w) * w;
  if (level === 0) return out(0, lo, hi);
  if (a >= b) return windowRanges(widths, lo, hi, out, level - 1);
  windowRanges(widths, lo, a, out, level - 1);
  out(level, a, b);
  windowRanges(widths, b, hi, out, level - 1);
}
