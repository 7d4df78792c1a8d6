import type { SeriesDefinition } from './feature-definition';
import { mergeTiles, singletonTile, type Tile } from './tile';
import { TileRun } from './tile-run';

const series: SeriesDefinition = { name: 'hub.arrival_delay_min@1m~1h', entity: 'hub', signal: 'arrival_delay_min', tileMs: 60_000, halfLifeMs: 3_600_000 };
const events: [number, number][] = [[120_500, 12.3], [130_000, -3.2], [179_999, 7.1], [180_000, 7.1], [185_000, 0.00004], [185_000, 99], [400_000, -50]];

/** The tiles ingest would store for these events: singletons merged per tile start. */
function tilesOf(list: [number, number][]): Tile[] {
  const byStart = new Map<number, Tile>();
  for (const [ts, x] of list) {
    const t = singletonTile(series, ts, x);
    const had = byStart.get(t.tileStart);
    byStart.set(t.tileStart, had ? mergeTiles(had, t) : t);
  }
  return [...byStart.values()].sort((a, b) => a.tileStart - b.tileStart);
}

const fieldsOf = (run: TileRun) => run.starts.map((_, k) => [run.starts[k], run.counts[k], run.sums[k], run.mins[k], run.maxs[k], run.lastTs[k], run.lastValues[k], run.ewSums[k], run.ewWeights[k]]);

describe('TileRun', () => {
  it('folds events into the same tiles ingest stores, whatever their order within a tile', () => {
    const expected = fieldsOf(TileRun.of(tilesOf(events)));
    for (const order of [events, [events[1]!, events[0]!, events[2]!, events[5]!, events[4]!, events[3]!, events[6]!]]) {
      const run = new TileRun();
      for (const [ts, x] of order) run.addEvent(series, ts, x);
      expect(fieldsOf(run)).toEqual(expected);
    }
  });

  it('merges two runs into one, tiles of the same start merged, as if every event were in one run', () => {
    const a = TileRun.of(tilesOf(events.filter((_, i) => i % 2 === 0)));
    const b = TileRun.of(tilesOf(events.filter((_, i) => i % 2 === 1)));
    const expected = fieldsOf(TileRun.of(tilesOf(events)));
    expect(fieldsOf(TileRun.merge(a, b))).toEqual(expected);
    expect(fieldsOf(TileRun.merge(b, a))).toEqual(expected);
    expect(TileRun.merge(a, TileRun.empty)).toBe(a);
    expect(TileRun.merge(TileRun.empty, b)).toBe(b);
  });
});

describe('TileRun.union', () => {
  it('keeps a tile both runs hold once, the one with more events in it', () => {
    const tile = (start: number, count: number) => ({ tileStart: start, count, sum: count, min: 1, max: 1, lastTs: start, lastValue: 1, ewSum: 0, ewWeight: 0 });
    const whole = TileRun.of([tile(0, 1), tile(15_000, 3)]);
    const newestInstant = TileRun.of([tile(15_000, 1)]);
    for (const run of [TileRun.union(whole, newestInstant), TileRun.union(newestInstant, whole)]) {
      expect([run.starts, run.counts]).toEqual([[0, 15_000], [1, 3]]);
    }
  });
});
