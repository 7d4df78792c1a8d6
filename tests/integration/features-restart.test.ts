import { getOnlineFeatures } from '../../features/online-features';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { seededRandom } from '../../pipelines/sample-reports';
import { featureIngest, randomBatches } from './support/feature-ingest';
import { featureStateOf } from './support/feature-state';
import { featureStream } from './support/feature-stream';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const tenant = 'acme';
const hour = 3_600_000;

/**
 * A consumer dies in the middle of a batch (after its feature updates, before commit); a new
 * process, with none of the old one's state, takes over and is handed again the last batches
 * the old one had committed (redelivery, cut into different batches). Feature state and values
 * must equal those of an uninterrupted run, tile for tile.
 */
describe('rolling features survive a consumer crash and redelivery', () => {
  let crashed: TestDatabase;
  let straight: TestDatabase;
  beforeAll(async () => {
    [crashed, straight] = await Promise.all([createTestDatabase('fc_feat_crash'), createTestDatabase('fc_feat_straight')]);
  });
  afterAll(async () => {
    await Promise.all([crashed.drop(), straight.drop()]);
  });

  it('gives the same tiles and values as an uninterrupted run', async () => {
    const stream = featureStream(21, 2000, 6 * hour, 10 * 60_000);
    await upsertShipmentLegs(straight.db, tenant, stream.legs);
    await upsertShipmentLegs(crashed.db, tenant, stream.legs);

    const uninterrupted = featureIngest(straight.db, { tenant, instance: 'straight' });
    for (const batch of randomBatches(stream.reports, 100, seededRandom(1))) await uninterrupted.deliver(batch);

    const batches = randomBatches(stream.reports, 100, seededRandom(2));
    const crashAt = Math.floor(batches.length / 2);
    let calls = 0;
    const first = featureIngest(crashed.db, {
      tenant, instance: 'first',
      wrap: (hook) => async (trx, stored) => {
        await hook(trx, stored);
        if (++calls === crashAt + 1) throw Object.assign(new Error('process killed'), { code: 'KILLED' });
      },
    });
    for (const batch of batches.slice(0, crashAt)) await first.deliver(batch);
    await expect(first.deliver(batches[crashAt]!)).rejects.toThrow('process killed');

    // Redelivery: from two batches before the crash, in other batch sizes, by a new process.
    const redelivered = batches.slice(crashAt - 2).flat();
    const second = featureIngest(crashed.db, { tenant, instance: 'second' });
    let stored = 0;
    for (const batch of randomBatches(redelivered, 70, seededRandom(3))) stored += (await second.deliver(batch)).stored;
    expect(stored).toBe(batches.slice(crashAt).flat().length);

    const [a, b] = await Promise.all([featureStateOf(straight.db), featureStateOf(crashed.db)]);
    expect(b.tiles.length).toBeGreaterThan(100);
    expect(b.events.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    for (const at of [stream.startMs + hour, stream.startMs + 3.5 * hour, stream.endMs + 60_000]) {
      const [x, y] = await Promise.all([
        getOnlineFeatures(straight.db, { tenant, entities: stream.entities, at }),
        getOnlineFeatures(crashed.db, { tenant, entities: stream.entities, at }),
      ]);
      expect(y).toEqual(x);
    }
  });
});
