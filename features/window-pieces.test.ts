import { seededRandom } from '../pipelines/sample-reports';
import { TileRun } from './tile-run';
import { windowRanges, WindowPieces } from './window-pieces';

const minute = 60_000;
const hour = 60 * minute;
const widths = [minute, 3 * minute, 15 * minute, hour];

function ranges(lo: number, hi: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  windowRanges(widths, lo, hi, (level, a, b) => out.push([level, a, b]));
  return out;
}

describe('windowRanges', () => {
  it('covers the window exactly, in order, each range whole tiles of its width', () => {
    const random = seededRandom(3);
    for (let n = 0; n < 500; n++) {
      const hi = (2000 + Math.floor(random() * 10_000)) * minute;
      const lo = hi - Math.floor(random() * 2000) * minute;
      let at = lo;
      for (const [level, a, b] of ranges(lo, hi)) {
        expect(a).toBe(at);
        expect(b).toBeGreaterThan(a);
        const w = widths[level] as number;
        expect([a % w, b % w]).toEqual([0, 0]);
        at = b;
      }
      expect(at).toBe(lo === hi ? lo : hi);
    }
  });

  it('reads the middle from the widest tiles and only the edges from finer ones', () => {
    // A day ending at 10:07: 23 hours (11:00 … 10:00), and quarter-hours, 3 min and 1 min tiles at both ends.
    const hi = 24 * hour * 100 + 10 * hour + 7 * minute;
    const got = ranges(hi - 24 * hour, hi);
    const tiles = got.reduce((n, [level, a, b]) => n + (b - a) / (widths[level] as number), 0);
    expect(got.find(([level]) => level === 3)).toEqual([3, hi - 24 * hour + 53 * minute, hi - 7 * minute]);
    expect(tiles).toBeLessThan(40);
    // Aligned windows need no edges.
    expect(ranges(hour, 3 * hour)).toEqual([[3, hour, 3 * hour]]);
  });
});

describe('WindowPieces', () => {
  it('picks each run\'s tiles inside its range', () => {
    const fine = TileRun.of([0, 1, 2, 3, 4, 5].map((m) => ({ tileStart: m * minute, count: 1, sum: m, min: m, max: m, lastTs: m * minute, lastValue: m, ewSum: 0, ewWeight: 0 })));
    const coarse = TileRun.of([{ tileStart: 3 * minute, count: 3, sum: 12, min: 3, max: 5, lastTs: 5 * minute, lastValue: 5, ewSum: 0, ewWeight: 0 }]);
    const p = new WindowPieces().cut([fine, coarse], [minute, 3 * minute], minute, 6 * minute);
    // [1, 3) from the minute tiles, [3, 6) from the 3-minute one.
    expect(Array.from({ length: p.length }, (_, k) => [p.runs[k] === coarse, p.from[k], p.to[k]])).toEqual([[false, 1, 3], [true, 0, 1]]);
  });
});
