import type { Db } from '../../../core/db';
import type { FixtureSet } from './report-fixtures';

/**
 * The ingest promise after any crash and redelivery: exactly the distinct valid reports are
 * stored, under the publisher's tenant; every malformed one is dead-lettered once, with its
 * reason, field path and raw bytes, from `source`; each device's row counts its reports once.
 */
export async function expectExactlyIngested(db: Db, fixtures: FixtureSet, tenant: string, source: string): Promise<void> {
  const stored = await db('reports').select('device_id', 'report_id', 'tenant');
  expect(new Set(stored.map((r) => `${r.device_id}/${r.report_id}`))).toEqual(fixtures.uniqueValid);
  expect(stored).toHaveLength(fixtures.uniqueValid.size);
  expect(new Set(stored.map((r) => r.tenant))).toEqual(new Set([tenant]));

  const letters = await db('dead_letters').select('raw', 'reason', 'field_path', 'message', 'source');
  const expected = fixtures.malformed.map((m) => `${m.reason} ${m.line}`).sort();
  expect(letters.map((l) => `${l.reason} ${(l.raw as Buffer).toString()}`).sort()).toEqual(expected);
  for (const l of letters) expect(l.message.length).toBeGreaterThan(0);
  expect(new Set(letters.map((l) => l.source))).toEqual(new Set([source]));
  expect(letters.filter((l) => l.reason === 'schema').map((l) => l.field_path)).toEqual(
    expect.arrayContaining(['ts', 'location.lat', 'metrics.battery_pct']),
  );

  const [devices] = await db('devices').sum<{ sum: number }[]>('reports as sum');
  expect(Number(devices!.sum)).toBe(fixtures.uniqueValid.size);
}
