import { getHistoricalFeatureColumns, getHistoricalFeatures } from '../../features/historical-features';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { seededRandom } from '../../pipelines/sample-reports';
import { featureIngest, randomBatches } from './support/feature-ingest';
import { featureStream } from './support/feature-stream';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const hour = 3_600_000;

/**
 * Point-in-time reads evaluate a feature once per tile for an entity's rows taken in time order.
 * Every row, asked for among many out of order, must get what it gets asked for alone (where
 * nothing can be reused), clock-dependent features (seconds since the last report) included.
 */
describe('point-in-time values reused within a tile', () => {
  let t: TestDatabase;
  const tenant = 'acme';
  const stream = featureStream(57, 1500, 3 * hour, 5 * 60_000);
  beforeAll(async () => {
    t = await createTestDatabase('fc_feat_tile_reuse');
    await upsertShipmentLegs(t.db, tenant, stream.legs);
    const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: 24 * hour });
    for (const batch of randomBatches(stream.reports, 100, seededRandom(2))) await ingest.deliver(batch);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('equal the values of each row read alone', async () => {
    const random = seededRandom(8);
    // Several rows per entity inside one 15 s tile (and so in every wider one), in shuffled order.
    const rows = stream.entities.flatMap((entity) => {
      const base = stream.startMs + hour + Math.floor(random() * hour / 15_000) * 15_000;
      return [base + 1_000, base + 4_000, base + 14_999, base + 15_000, base + 3 * 60_000 + 7].map((at) => ({ entity, at }));
    }).sort(() => random() - 0.5);
    const columns = await getHistoricalFeatureColumns(t.db, { tenant, rows });
    const vectors = await getHistoricalFeatures(t.db, { tenant, rows, withFreshness: true });
    let clockDependent = 0;
    for (const [i, row] of rows.entries()) {
      const [alone] = await getHistoricalFeatures(t.db, { tenant, rows: [row], withFreshness: true });
      expect(vectors[i]).toEqual(alone);
      for (const [name, value] of Object.entries(alone!.values)) expect([name, columns.get(name)![i]]).toEqual([name, value ?? Number.NaN]);
      if (typeof alone!.values['device.seconds_since_last_report_24h'] === 'number') clockDependent++;
    }
    // Device rows a few seconds apart in one tile, whose seconds since the last report differ.
    expect(clockDependent).toBeGreaterThan(10);
  });
});
