import { gatherEventRows } from './event-row';
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

  it('refuses a signal the entity has no slot for', () => {
    expect(() => gatherEventRows([o('d1', 'altitude_m', 1000, 3)])).toThrow(/no slot for signal altitude_m/);
  });
});
