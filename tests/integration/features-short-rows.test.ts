import { getHistoricalFeatures } from '../../features/historical-features';
import { getOnlineFeatures } from '../../features/online-features';
import { signalSlots, slotWidth } from '../../features/signal-slots';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { seededRandom } from '../../pipelines/sample-reports';
import { featureIngest, randomBatches } from './support/feature-ingest';
import { featureStream } from './support/feature-stream';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const hour = 3_600_000;

/**
 * Reads fetch only the integers of a tile row their features use, by position. A row written
 * before a slot was appended to its entity (features/signal-slots.ts) is shorter than those
 * positions: it must read as if the missing slots held nothing. Here hub rows before an instant
 * are cut after their first two slots, against the same rows with zeros in the others; rows
 * after it are whole in both, so reads across the instant mix both lengths.
 */
describe('tile rows shorter than the slots read', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('fc_feat_short_rows');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('read as rows with empty slots after their end', async () => {
    const stream = featureStream(31, 1500, 3 * hour, 5 * 60_000);
    for (const tenant of ['zeros', 'short']) {
      await upsertShipmentLegs(t.db, tenant, stream.legs);
      const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: 24 * hour, instance: tenant });
      for (const batch of randomBatches(stream.reports, 80, seededRandom(3))) await ingest.deliver(batch);
    }
    const kept = 2 * slotWidth;
    const padding = signalSlots.hub.length * slotWidth - kept;
    // On an hour boundary, so every width's rows (up to the hub's hour tiles) are cut at the same instant.
    const cut = Math.ceil((stream.startMs + 1.5 * hour) / hour) * hour;
    const before = `entity_type = 'hub' AND tile_start < ${cut}`;
    await t.db.raw(`UPDATE feature_entity_tiles SET v = v[1:${kept}] || array_fill(0::bigint, ARRAY[${padding}]) WHERE tenant = 'zeros' AND ${before}`);
    await t.db.raw(`UPDATE feature_entity_tiles SET v = v[1:${kept}] WHERE tenant = 'short' AND ${before}`);

    const hubs = stream.entities.filter((e) => e.type === 'hub');
    const instants = [stream.startMs + hour, cut + 30 * 60_000 + 123, stream.endMs + 60_000];
    for (const at of instants) {
      const [zeros, short] = await Promise.all(['zeros', 'short'].map((tenant) => getOnlineFeatures(t.db, { tenant, entities: hubs, at })));
      expect(short).toEqual(zeros);
      expect(zeros!.some((v) => (v.values['hub.arrivals_1h'] ?? 0) > 0)).toBe(true);
      expect(zeros!.every((v) => v.values['hub.arrival_delay_mean_1h'] === null)).toBe(at < cut);
    }
    const rows = hubs.flatMap((entity) => instants.map((at) => ({ entity, at })));
    for (const withFreshness of [false, true]) {
      const [zeros, short] = await Promise.all(['zeros', 'short'].map((tenant) => getHistoricalFeatures(t.db, { tenant, rows, withFreshness })));
      expect(short).toEqual(zeros);
    }
  });
});
