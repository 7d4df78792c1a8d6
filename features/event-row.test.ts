import { FeatureValueRangeError, gatherEventRows } from './event-row';
import type { Observation } from './observation';

const o = (entityId: string, signal: string, ts: number, value: number): Observation => ({ tenant: 't', entity: 'device', entityId, signal, ts, value });

describe('gatherEventRows', () => {
  it('puts one report\'s device signals in one row, each in its slot, and keeps two reports at one instant apart', () => {
    const rows = gatherEventRows([
      o('d1', 'report', 1000, 1), o('d1', 'speed_kph', 1000, 52.5), o('d1', 'battery_pct', 1000, 80),
      o('d1', 'report', 1000, 1), o('d1', 'battery_pct', 1000, 79),
      o('d2', 'report', 1000, 1),
    ]);
    expect(rows.map((r) => [r.entityId, r.ts, r.v])).toEqual([
      ['d1', 1000, [1, 52.5, 80]],
      ['d1', 1000, [1, null, 79]],
      ['d2', 1000, [1, null, null]],
    ]);
  });

  it('refuses a value a tile\'s fixed-point integers cannot hold, with PostgreSQL\'s code for it (the report is dead-lettered)', () => {
    expect(() => gatherEventRows([o('d1', 'battery_pct', 1000, 1e15)])).toThrow(FeatureValueRangeError);
    expect(() => gatherEventRows([o('d1', 'battery_pct', 1000, -1e15)])).toThrow(/battery_pct = -1000000000000000 is out of the range/);
    expect(new FeatureValueRangeError('x').code).toBe('22003');
    expect(gatherEventRows([o('d1', 'battery_pct', 1000, 9e14)])).toHaveLength(1);
  });

  it('refuses a signal the entity has no slot for', () => {
    expect(() => gatherEventRows([o('d1', 'altitude_m', 1000, 3)])).toThrow(/no slot for signal altitude_m/);
  });
});
