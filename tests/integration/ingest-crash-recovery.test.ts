import { Redis } from 'ioredis';
import { createLogger } from '../../core/logger';
import { RedisStreamsTransport } from '../../pipelines/redis-streams-transport';
import { expectExactlyIngested } from './support/expect-exactly-ingested';
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

    await expectExactlyIngested(t.db, fixtures, tenant, 'redis');

    // Nothing left pending or unread.
    expect(await pending()).toBe(0);
    // The second consumer took over what the killed one had read but not acknowledged.
    if (orphaned > 0) expect(second.stderr()).toMatch(/reclaimed messages left pending by another consumer/);
    console.log(`stored before kill: ${storedBeforeKill}; pending on the killed consumer: ${orphaned}`);
  });
});
