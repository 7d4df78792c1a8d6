import * as m0034 from '../../core/migrations/0034-device-events-from-reports';
import { getHistoricalFeatures } from '../../features/historical-features';
import { getOnlineFeatures } from '../../features/online-features';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { seededRandom } from '../../pipelines/sample-reports';
import { featureIngest, randomBatches } from './support/feature-ingest';
import { featureStream } from './support/feature-stream';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const tenant = 'acme';
const hour = 3_600_000;

/**
 * Migration 0034 reads device features from the reports themselves. Its `down` writes the
 * feature_events of before (the events of the reports features count); its `up` builds the new
 * report columns from the stored bodies and counts a report if feature_events holds its event.
 * Down and up again must give back every column and every device value as ingest left them,
 * late reports (left out) included.
 */
describe('migration 0034: device events from reports', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('fc_feat_dev_reports');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('goes down to feature_events and up again with every device value unchanged', async () => {
    const stream = featureStream(61, 3000, 6 * hour, 20 * 60_000);
    await upsertShipmentLegs(t.db, tenant, stream.legs);
    // Less lateness than the stream's disorder: some reports are dropped late.
    const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: 5 * 60_000 });
    for (const batch of randomBatches(stream.reports, 100, seededRandom(6))) await ingest.deliver(batch);

    const columns = async () =>
      (await t.db.raw('SELECT report_id, speed_kph, battery_pct, in_features FROM reports ORDER BY report_id')).rows as
        { report_id: string; speed_kph: number | null; battery_pct: number | null; in_features: boolean }[];
    const devices = stream.entities.filter((e) => e.type === 'device');
    const instants = [1, 2.5, 4, 5.75].map((h) => stream.startMs + h * hour + 3_217);
    const read = async () => ({
      online: await Promise.all(instants.map((at) => getOnlineFeatures(t.db, { tenant, entities: devices, at }))),
      historical: await getHistoricalFeatures(t.db, { tenant, rows: instants.flatMap((at) => devices.map((entity) => ({ entity, at }))), withFreshness: true }),
    });
    const ingested = await columns();
    const values = await read();
    expect(ingested.filter((r) => !r.in_features).length).toBeGreaterThan(10);
    expect(ingested.filter((r) => r.speed_kph !== null).length).toBeGreaterThan(100);
    expect(ingested.filter((r) => r.battery_pct !== null).length).toBeGreaterThan(100);

    const vacuumSettings = async () =>
      (await t.db.raw("SELECT c.reloptions FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'reports'::regclass")).rows
        .map((r: { reloptions: string[] | null }) => r.reloptions);
    const everyMillion = ['autovacuum_vacuum_insert_threshold=1000000', 'autovacuum_vacuum_insert_scale_factor=0'];
    expect(await vacuumSettings()).toEqual([everyMillion]);

    await m0034.down(t.db);
    expect(await vacuumSettings()).toEqual([null]);
    const events = Number((await t.db.raw("SELECT count(*) AS n FROM feature_events WHERE entity_type = 'device'")).rows[0].n);
    expect(events).toBe(ingested.filter((r) => r.in_features).length);
    const key = (await t.db.raw("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'reports_pkey'")).rows[0].def;
    expect(key).toBe('PRIMARY KEY (tenant, device_id, report_id, ts)');

    await m0034.up(t.db);
    expect(await vacuumSettings()).toEqual([everyMillion]);
    expect(await columns()).toEqual(ingested);
    expect(await read()).toEqual(values);
    expect(values.online.flat().some((v) => v.values['device.speed_mean_15m'] !== null)).toBe(true);
  });
});
