import { Redis } from 'ioredis';
import { createLogger } from '../../core/logger';
import { RedisStreamsTransport } from '../../pipelines/redis-streams-transport';
import { makeFixtures } from './support/report-fixtures';
import { spawnFlowcast, waitFor } from './support/spawn-flowcast';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

/**
 * The Must show: 10,000 reports (1% malformed, 5% duplicates) through Redis Streams, the
 * consumer killed with SIGKILL midway and started again: exactly the unique valid reports are
 * stored, every malformed one is dead-lettered with its reason, nothing is left pending.
 */
describe('ingest survives kill -9 (Redis Streams)', () => {
  let t: TestDatabase;
  let redis: Redis;
  const streamKey = uniqueName('fc:test:reports');
  const tenant = 'acme';

  beforeAll(async () => {
    t = await createTestDatabase('fc_crash');
    redis = new Redis(requireEnv('REDIS_URL'));
  });
  afterAll(async () => {
    await redis.del(streamKey);
    redis.disconnect();
    await t.drop();
  });

  it('stores exactly the unique valid reports and dead-letters the malformed ones', async () => {
    const fixtures = makeFixtures(10_000, 0.01, 0.05);
    const transport = new RedisStreamsTransport({ redis, logger: createLogger({ level: 'silent' }), streamKey });
    for (let i = 0; i < fixtures.lines.length; i += 1000) {
      await transport.publish(fixtures.lines.slice(i, i + 1000).map((data) => ({ tenant, data })));
    }

    const env = { DATABASE_URL: t.url, STREAM_KEY: streamKey, INGEST_BATCH_SIZE: '100', RECLAIM_IDLE_MS: '1000' };
    const count = async () => Number((await t.db('reports').count<{ count: number }[]>('* as count'))[0]!.count);

    const first = spawnFlowcast(['ingest'], { ...env, CONSUMER_NAME: 'first' });
    await waitFor('the first consumer to store some reports', async () => (await count()) >= 1500, 60_000, 5);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const storedBeforeKill = await count();
    expect(storedBeforeKill).toBeLessThan(fixtures.uniqueValid.size);
    const pending = async () => Number(((await redis.xpending(streamKey, 'ingest')) as [number])[0]);
    const orphaned = await pending();

    const second = spawnFlowcast(['ingest'], { ...env, CONSUMER_NAME: 'second' });
    const deadLetters = async () => Number((await t.db('dead_letters').count<{ count: number }[]>('* as count'))[0]!.count);
    await waitFor(
      'every message to be stored or dead-lettered and acknowledged',
      async () => (await count()) === fixtures.uniqueValid.size && (await deadLetters()) === fixtures.malformed.length && (await pending()) === 0,
      90_000,
      100,
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const stored = await t.db('reports').select('device_id', 'report_id', 'tenant');
    expect(new Set(stored.map((r) => `${r.device_id}/${r.report_id}`))).toEqual(fixtures.uniqueValid);
    expect(stored).toHaveLength(fixtures.uniqueValid.size);
    expect(new Set(stored.map((r) => r.tenant))).toEqual(new Set([tenant]));

    const letters = await t.db('dead_letters').select('raw', 'reason', 'field_path', 'message', 'tenant');
    const expected = fixtures.malformed.map((m) => `${m.reason} ${m.line}`).sort();
    expect(letters.map((l) => `${l.reason} ${(l.raw as Buffer).toString()}`).sort()).toEqual(expected);
    for (const l of letters) expect(l.message.length).toBeGreaterThan(0);
    expect(letters.filter((l) => l.reason === 'schema').map((l) => l.field_path)).toEqual(expect.arrayContaining(['ts', 'location.lat', 'metrics.battery_pct']));

    // Nothing left pending or unread, and every device's row reflects its reports.
    expect(await pending()).toBe(0);
    const [devices] = await t.db('devices').sum<{ sum: number }[]>('reports as sum');
    expect(Number(devices!.sum)).toBe(fixtures.uniqueValid.size);
    // The second consumer took over what the killed one had read but not acknowledged.
    if (orphaned > 0) expect(second.stderr()).toMatch(/reclaimed messages left pending by another consumer/);
    console.log(`stored before kill: ${storedBeforeKill}; pending on the killed consumer: ${orphaned}`);
  });
});
