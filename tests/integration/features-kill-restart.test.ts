import { Redis } from 'ioredis';
import { createLogger } from '../../core/logger';
import type { Report } from '../../core/report';
import { getOnlineFeatures } from '../../features/online-features';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { seededRandom } from '../../pipelines/sample-reports';
import { RedisStreamsTransport } from '../../pipelines/redis-streams-transport';
import { featureIngest, randomBatches } from './support/feature-ingest';
import { featureStateOf } from './support/feature-state';
import { featureStream } from './support/feature-stream';
import { spawnFlowcast, waitFor } from './support/spawn-flowcast';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

const tenant = 'acme';
const hour = 3_600_000;
// Which report is late can depend on how batches were cut and redelivered (docs/FEATURES.md):
// with a lateness longer than the stream none is, so the two runs must agree tile for tile.
const lateness = 24 * hour;


/** The stream in publish order, with 3% of reports sent again later (a producer's resend). */
function withResends(reports: Report[]): Report[] {
  const random = seededRandom(99);
  const out: Report[] = [];
  for (const r of reports) {
    out.push(r);
    if (random() < 0.03) out.push(reports[Math.floor(random() * out.length)] as Report);
  }
  return out;
}

/**
 * Issue 3's restart test at process level: `flowcast ingest` (with the feature hook) is killed
 * with SIGKILL midway through a stream of device reports, departed/arrived events on planned
 * legs and sorter metrics, then started again; its feature state (tiles and device events) and online values equal those
 * of an uninterrupted in-process run over the same stream in another database.
 */
describe('rolling features survive kill -9 of flowcast ingest', () => {
  let killed: TestDatabase;
  let straight: TestDatabase;
  let redis: Redis;
  const streamKey = uniqueName('fc:test:features');

  beforeAll(async () => {
    [killed, straight] = await Promise.all([createTestDatabase('fc_feat_kill'), createTestDatabase('fc_feat_nokill')]);
    redis = new Redis(requireEnv('REDIS_URL'));
  });
  afterAll(async () => {
    await redis.del(streamKey);
    redis.disconnect();
    await Promise.all([killed.drop(), straight.drop()]);
  });

  it('gives the same tiles and online values as an uninterrupted run', async () => {
    const stream = featureStream(41, 8000, 6 * hour, 10 * 60_000);
    const published = withResends(stream.reports);
    const unique = new Set(published.map((r) => `${r.deviceId}/${r.id}`)).size;
    await Promise.all([upsertShipmentLegs(killed.db, tenant, stream.legs), upsertShipmentLegs(straight.db, tenant, stream.legs)]);

    const uninterrupted = featureIngest(straight.db, { tenant, allowedLatenessMs: lateness, instance: 'straight' });
    for (const batch of randomBatches(published, 120, seededRandom(4))) await uninterrupted.deliver(batch);

    const transport = new RedisStreamsTransport({ redis, logger: createLogger({ level: 'silent' }), streamKey });
    for (let i = 0; i < published.length; i += 1000) {
      await transport.publish(published.slice(i, i + 1000).map((r) => ({ tenant, data: Buffer.from(JSON.stringify(r)) })));
    }
    const env = { DATABASE_URL: killed.url, STREAM_KEY: streamKey, INGEST_BATCH_SIZE: '50', RECLAIM_IDLE_MS: '1000', FEATURE_ALLOWED_LATENESS_MS: String(lateness) };
    const count = async () => Number((await killed.db('reports').count<{ count: number }[]>('* as count'))[0]!.count);
    const pending = async () => Number(((await redis.xpending(streamKey, 'ingest')) as [number])[0]);

    const first = spawnFlowcast(['ingest'], { ...env, CONSUMER_NAME: 'first' });
    await waitFor('the first consumer to store some reports', async () => (await count()) >= 2000, 60_000, 5);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const storedBeforeKill = await count();
    expect(storedBeforeKill).toBeLessThan(unique);
    const orphaned = await pending();

    const second = spawnFlowcast(['ingest'], { ...env, CONSUMER_NAME: 'second' });
    await waitFor('every report stored and acknowledged', async () => (await count()) === unique && (await pending()) === 0, 90_000, 100);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    // The second consumer took over what the killed one had read but not acknowledged.
    if (orphaned > 0) expect(second.stderr()).toMatch(/reclaimed messages left pending by another consumer/);
    console.log(`stored before kill: ${storedBeforeKill} of ${unique}; pending on the killed consumer: ${orphaned}`);

    const [expected, actual] = await Promise.all([featureStateOf(straight.db), featureStateOf(killed.db)]);
    expect(new Set(actual.tiles.map((t) => t.entity_type))).toEqual(new Set(['hub', 'lane', 'network', 'shipment', 'zone']));
    expect(new Set(actual.events.map((t) => t.entity_type))).toEqual(new Set(['device']));
    expect(actual).toEqual(expected);
    for (const at of [stream.startMs + hour, stream.startMs + 3.5 * hour, stream.endMs + 60_000]) {
      const [x, y] = await Promise.all([
        getOnlineFeatures(straight.db, { tenant, entities: stream.entities, at }),
        getOnlineFeatures(killed.db, { tenant, entities: stream.entities, at }),
      ]);
      expect(y).toEqual(x);
    }
  });
});
