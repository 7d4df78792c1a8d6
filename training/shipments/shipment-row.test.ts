import { parseInstant, shipmentRow } from './shipment-row';
import type { ShipmentField } from './column-mapping';

const row = (values: Partial<Record<ShipmentField, string>>) => (f: ShipmentField) => values[f];
const good = { shipmentId: 'S1', mode: 'road', from: 'A', to: 'B', plannedDeparture: '2024-03-01 08:00', plannedArrival: '2024-03-01T12:00:00Z' };

describe('shipment rows', () => {
  it('converts a valid row, with its outcome when the actual arrival is known', () => {
    const r = shipmentRow(row({ ...good, actualArrival: '2024-03-01 12:30' }));
    expect(r).toEqual({
      ok: true,
      leg: { shipmentId: 'S1', seq: 0, mode: 'road', from: 'A', to: 'B', plannedDeparture: Date.UTC(2024, 2, 1, 8), plannedArrival: Date.UTC(2024, 2, 1, 12) },
      outcome: { shipmentId: 'S1', seq: 0, arrivedAt: Date.UTC(2024, 2, 1, 12, 30) },
    });
  });

  it('names every problem of a bad row', () => {
    const r = shipmentRow(row({ ...good, mode: 'boat', plannedDeparture: 'yesterday', seq: '-1' }));
    expect(r.ok).toBe(false);
    const reason = (r as { reason: string }).reason;
    expect(reason).toContain('plannedDeparture "yesterday" is not a date-time');
    expect(reason).toContain('mode');
    expect(reason).toContain('seq');
  });

  it('refuses an arrival planned before the departure', () => {
    expect(shipmentRow(row({ ...good, plannedArrival: '2024-03-01 07:00' }))).toEqual({ ok: false, reason: 'plannedArrival is before plannedDeparture' });
  });

  it('reads plain dates as UTC and RFC 3339 with its offset', () => {
    expect(parseInstant('2024-03-01')).toBe(Date.UTC(2024, 2, 1));
    expect(parseInstant('2024-03-01T10:00:00+02:00')).toBe(Date.UTC(2024, 2, 1, 8));
    expect(parseInstant('03/01/2024 junk')).toBeUndefined();
  });
});
