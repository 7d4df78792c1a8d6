import { defaultCatalog } from '../../features/definitions';
import { extractObservations } from '../../features/extract-observations';
import { foldIntoTiles } from '../../features/fold-into-tiles';
import { getHistoricalFeatures } from '../../features/historical-features';
import type { Observation } from '../../features/observation';
import { getOnlineFeatures } from '../../features/online-features';
import { signalSlots } from '../../features/signal-slots';
import { upsertTiles } from '../../features/store/upsert-tiles';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { featureIngest, randomBatches } from './support/feature-ingest';
import { featureStream } from './support/feature-stream';
import { seededRandom } from '../../pipelines/sample-reports';
import { bruteForceFeatures } from './support/brute-force-features';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const hour = 3_600_000;

/**
 * Devices' features are kept per event since migration 0031 (read from their reports since
 * 0034); a database that had device tile rows before it goes on reading them, merged with the
 * events after. Here one tenant has every device signal as events, the other the same signals as
 * tile rows up to an instant inside a tile and as events after it: every device feature, online
 * and point-in-time, must be equal.
 */
describe('device features from tile rows written before migration 0031 and events after', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('fc_feat_dev_events');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('give the same values as events alone', async () => {
    const stream = featureStream(23, 3000, 4 * hour, 5 * 60_000);
    for (const tenant of ['events', 'upgraded']) {
      await upsertShipmentLegs(t.db, tenant, stream.legs);
      const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: 24 * hour, instance: tenant });
      for (const batch of randomBatches(stream.reports, 90, seededRandom(5))) await ingest.deliver(batch);
    }
    // An instant 7.5 s into a 15 s device tile: that tile ends up half in rows, half in events.
    const cut = stream.startMs + 2 * hour - (stream.startMs % 15_000) + 7_500;
    // Before the cut the reports are not counted as events (as migration 0034 marks the reports of
    // before 0031) and their signals are tile rows instead.
    const before = (await t.db.raw(
      `UPDATE reports SET in_features = false WHERE tenant = 'upgraded' AND ts < timestamptz 'epoch' + ? * interval '1 millisecond'
       RETURNING device_id AS entity_id, floor(extract(epoch FROM ts) * 1000)::bigint AS ts, ARRAY[1, speed_kph, battery_pct] AS v`,
      [cut],
    )).rows as { entity_id: string; ts: number; v: (number | null)[] }[];
    expect(before.length).toBeGreaterThan(100);
    const observations: Observation[] = before.flatMap((e) =>
      e.v.flatMap((value, k) => (value === null ? [] : [{ tenant: 'upgraded', entity: 'device' as const, entityId: e.entity_id, signal: signalSlots.device[k] as string, ts: Number(e.ts), value }])));
    await t.db.transaction((trx) => upsertTiles(trx, foldIntoTiles(observations, defaultCatalog)));

    const devices = stream.entities.filter((e) => e.type === 'device');
    const instants = [cut - 60_000, cut, cut + 4_000, cut + 15_000, cut + 10 * 60_000, stream.endMs + 60_000];
    for (const at of instants) {
      const [a, b] = await Promise.all(['events', 'upgraded'].map((tenant) => getOnlineFeatures(t.db, { tenant, entities: devices, at })));
      expect(b).toEqual(a);
      expect(a!.some((v) => v.values['device.speed_mean_15m'] !== null)).toBe(true);
    }
    const rows = devices.flatMap((entity) => instants.map((at) => ({ entity, at })));
    const [x, y] = await Promise.all(['events', 'upgraded'].map((tenant) => getHistoricalFeatures(t.db, { tenant, rows, withFreshness: true })));
    expect(y).toEqual(x);
  });

  it('take the larger value of a tie at the newest instant, as tiles did, and leave out a value no tile could hold', async () => {
    const tenant = 'ties';
    const t0 = Date.UTC(2026, 0, 7, 10, 0, 3);
    const reports = [
      { id: 'a', deviceId: 'd1', ts: new Date(t0).toISOString(), metrics: { battery_pct: 60 } },
      { id: 'b', deviceId: 'd1', ts: new Date(t0).toISOString(), metrics: { battery_pct: 70 } },
      { id: 'c', deviceId: 'd1', ts: new Date(t0).toISOString(), metrics: { battery_pct: 65 } },
      { id: 'd', deviceId: 'd1', ts: new Date(t0 + 20_000).toISOString(), location: { lat: 1, lon: 1, speedKph: 40 } },
      { id: 'e', deviceId: 'd1', ts: new Date(t0 + 21_000).toISOString(), metrics: { battery_pct: 1e15 } },
    ];
    const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: 24 * hour, instance: tenant });
    expect(await ingest.deliver(reports)).toEqual({ stored: 4, duplicates: 0, deadLetters: 1 });
    const letters = await t.db('dead_letters').where({ tenant }).select('reason', 'message');
    expect(letters).toEqual([{ reason: 'store_failed', message: expect.stringMatching(/battery_pct = 1000000000000000 is out of the range/) }]);

    const entity = { type: 'device' as const, id: 'd1' };
    const observations = reports.slice(0, 4).flatMap((r) => extractObservations({ tenant, report: r }, () => []));
    for (const at of [t0 + 15_000, t0 + 45_000]) {
      const [online] = await getOnlineFeatures(t.db, { tenant, entities: [entity], at });
      const [historical] = await getHistoricalFeatures(t.db, { tenant, rows: [{ entity, at }], withFreshness: true });
      expect(online!.values['device.battery_last_24h']).toBe(70);
      expect(historical).toEqual(online);
      expect(online!.values).toEqual(bruteForceFeatures(defaultCatalog, observations, tenant, entity, at));
    }
  });
});
