import { byTenantThenDevice, summariseDevices } from './upsert-devices';

const report = (deviceId: string, id: string, ts: string, lat?: number) => ({
  tenant: 't',
  report: { id, deviceId, ts, ...(lat === undefined ? {} : { location: { lat, lon: 0 } }) },
});

describe('summariseDevices', () => {
  it('keeps the latest report and the latest known position per device, whatever the order', () => {
    const [d] = summariseDevices([
      report('a', 'r2', '2026-11-20T06:02:00Z'),
      report('a', 'r1', '2026-11-20T06:01:00Z', 10),
      report('a', 'r0', '2026-11-20T06:00:00Z', 5),
    ]);
    expect(d).toMatchObject({ deviceId: 'a', lastReportId: 'r2', lastLat: 10, reports: 3 });
    expect(new Date(d!.firstSeen).toISOString()).toBe('2026-11-20T06:00:00.000Z');
  });

  it('gives one row per tenant and device', () => {
    const rows = summariseDevices([report('a', '1', '2026-11-20T06:00:00Z'), report('b', '1', '2026-11-20T06:00:00Z'), { ...report('a', '1', '2026-11-20T06:00:00Z'), tenant: 'u' }]);
    expect(rows).toHaveLength(3);
  });
});

describe('byTenantThenDevice', () => {
  it('orders by tenant, then device, even where the two concatenated would tie', () => {
    const rows = summariseDevices([
      { ...report('c', '1', '2026-11-20T06:00:00Z'), tenant: 'ab' },
      { ...report('bc', '1', '2026-11-20T06:00:00Z'), tenant: 'a' },
      { ...report('a', '1', '2026-11-20T06:00:00Z'), tenant: 'ab' },
    ]);
    for (const order of [rows, [...rows].reverse()]) {
      expect([...order].sort(byTenantThenDevice).map((d) => `${d.tenant}/${d.deviceId}`)).toEqual(['a/bc', 'ab/a', 'ab/c']);
    }
  });
});
