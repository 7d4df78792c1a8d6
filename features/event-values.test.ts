import { checkEventValues, FeatureValueRangeError } from './event-values';
import type { Observation } from './observation';

const o = (entityId: string, signal: string, ts: number, value: number): Observation => ({ tenant: 't', entity: 'device', entityId, signal, ts, value });

describe('checkEventValues', () => {
  it('refuses a value a tile\'s fixed-point integers cannot hold, with PostgreSQL\'s code for it (the report is dead-lettered)', () => {
    expect(() => checkEventValues([o('d1', 'battery_pct', 1000, 1e15)])).toThrow(FeatureValueRangeError);
    expect(() => checkEventValues([o('d1', 'report', 1000, 1), o('d1', 'battery_pct', 1000, -1e15)])).toThrow(/d1: battery_pct = -1000000000000000 is out of the range/);
    expect(new FeatureValueRangeError('x').code).toBe('22003');
    expect(() => checkEventValues([o('d1', 'battery_pct', 1000, 9e14), o('d1', 'speed_kph', 1000, -9e14)])).not.toThrow();
  });

  it('refuses a signal the entity has no slot for', () => {
    expect(() => checkEventValues([o('d1', 'altitude_m', 1000, 3)])).toThrow(/no slot for signal altitude_m/);
  });
});
