import type { SeriesDefinition } from './feature-definition';
import { mergeTiles, singletonTile, type Tile } from './tile';

const series: SeriesDefinition = { name: 's', entity: 'hub', signal: 'x', tileMs: 60_000, halfLifeMs: 3_600_000 };

describe('tiles', () => {
  it('merge to the same integers in any order and grouping', () => {
    const tiles = [12.34567, -3.2, 7.1, 7.1, 0.00004, 99].map((v, i) => singletonTile(series, 120_000 + i * 7_000, v));
    const fold = (ts: Tile[]) => ts.reduce((a, b) => mergeTiles(a, b));
    const forward = fold(tiles);
    const backward = fold([...tiles].reverse());
    const grouped = mergeTiles(fold(tiles.slice(3)), fold(tiles.slice(0, 3)));
    expect(backward).toEqual(forward);
    expect(grouped).toEqual(forward);
    for (const v of Object.values(forward)) expect(Number.isInteger(v)).toBe(true);
    expect(forward).toMatchObject({ tileStart: 120_000, count: 6, sum: 1223457, min: -32000, max: 990000, lastValue: 990000 });
  });

  it('breaks a tie on the last event time by the larger value, whichever comes first', () => {
    const a = singletonTile(series, 130_000, 1);
    const b = singletonTile(series, 130_000, 2);
    expect(mergeTiles(a, b).lastValue).toBe(20000);
    expect(mergeTiles(b, a).lastValue).toBe(20000);
  });
});
