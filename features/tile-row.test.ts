import { createCatalog } from './catalog';
import { defaultCatalog } from './definitions';
import type { SeriesDefinition } from './feature-definition';
import { slotWidth } from './signal-slots';
import { mergeTiles, singletonTile, type Tile } from './tile';
import { emptySlots, mergeSlot } from './tile-row';

const series: SeriesDefinition = { name: 'hub.arrival_delay_min@1m~1h', entity: 'hub', signal: 'arrival_delay_min', tileMs: 60_000, halfLifeMs: 3_600_000 };
const slotTile = (v: number[], slot: number): Tile => {
  const [count, sum, min, max, lastTs, lastValue, ewSum, ewWeight] = v.slice(slot * slotWidth, slot * slotWidth + slotWidth) as number[];
  return { tileStart: 120_000, count: count!, sum: sum!, min: min!, max: max!, lastTs: lastTs!, lastValue: lastValue!, ewSum: ewSum!, ewWeight: ewWeight! };
};

describe('tile rows', () => {
  it('hold in a slot exactly what mergeTiles gives, in any order, leaving the other slots empty', () => {
    const tiles = [12.3, -3.2, 7.1, 7.1, 0.00004, 99, -50].map((x, i) => singletonTile(series, 120_000 + ((i * 7_919) % 60_000), x));
    const expected = tiles.reduce((a, b) => mergeTiles(a, b));
    for (const order of [tiles, [...tiles].reverse(), [...tiles.slice(4), ...tiles.slice(0, 4)]]) {
      const v = emptySlots('hub');
      for (const t of order) mergeSlot(v, 4 * slotWidth, [t.count, t.sum, t.min, t.max, t.lastTs, t.lastValue, t.ewSum, t.ewWeight], 0);
      expect(slotTile(v, 4)).toEqual(expected);
      expect(v.slice(0, 4 * slotWidth).every((x) => x === 0)).toBe(true);
    }
  });

  it('every series of the default catalog has a slot of its own', () => {
    const places = [...defaultCatalog.series.values()].map((s) => `${s.entity}/${s.tileMs}/${defaultCatalog.slotOf(s.name)}`);
    expect(new Set(places).size).toBe(places.length);
    expect(() => createCatalog([{ name: 'hub.x@1m', entity: 'hub', signal: 'x', tileMs: 60_000 }], [])).toThrow(/no slot/);
  });
});
