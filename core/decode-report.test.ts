import { decodeReport, validateReport } from './decode-report';
import { reportJsonSchema } from './report';

const good = { id: 'r1', deviceId: 'truck-1', ts: '2026-11-20T06:00:00Z', location: { lat: 52.1, lon: 4.3 }, metrics: { battery_pct: 80 } };
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('decodeReport', () => {
  it('accepts a valid report', () => {
    const r = decodeReport(bytes(good), 65_536);
    expect(r.ok && r.report.deviceId).toBe('truck-1');
  });

  it.each([
    [{ ...good, ts: undefined }, 'ts'],
    [{ ...good, ts: '20 Nov 2026' }, 'ts'],
    [{ ...good, location: { lat: 91, lon: 0 } }, 'location.lat'],
    [{ ...good, metrics: { battery_pct: 'NaN' } }, 'metrics.battery_pct'],
    [{ ...good, deviceId: 42 }, 'deviceId'],
    [{ ...good, event: { code: 'Departed!' } }, 'event.code'],
    [{ ...good, text: 'x'.repeat(4097) }, 'text'],
    [{ ...good, colour: 'red' }, ''],
  ])('rejects %j at %s', (value, path) => {
    const r = validateReport(value);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('schema');
      expect(r.path).toBe(path);
      expect(r.message.length).toBeGreaterThan(5);
    }
  });

  it('rejects bad JSON and oversized payloads with their own reasons', () => {
    const bad = decodeReport(Buffer.from('{"id": "r1",'), 65_536);
    expect(!bad.ok && bad.reason).toBe('bad_json');
    const big = decodeReport(Buffer.alloc(70_000, 0x20), 65_536);
    expect(!big.ok && big.reason).toBe('oversized');
    expect(!big.ok && big.message).toMatch(/70000 bytes; the limit is 65536/);
  });

  it('accepts a time zone offset and sub-second precision', () => {
    expect(validateReport({ ...good, ts: '2026-11-20T07:00:00.123+01:00' }).ok).toBe(true);
  });
});

describe('reportJsonSchema', () => {
  it('is generated from the same schema: required fields and bounds', () => {
    const schema = reportJsonSchema() as { required: string[]; properties: Record<string, { properties?: Record<string, { maximum?: number }> }> };
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'deviceId', 'ts']));
    expect(schema.properties.location?.properties?.lat?.maximum).toBe(90);
  });
});
