import { PubSub } from '@google-cloud/pubsub';
import { createLogger } from '../../core/logger';
import { ensureTopicAndSubscription, PubSubTransport } from '../../pipelines/pubsub-transport';
import { FakePubSubServer } from './support/pubsub-fake-server';
import { expectExactlyIngested } from './support/expect-exactly-ingested';
import { makeFixtures } from './support/report-fixtures';
import { spawnFlowcast, waitFor } from './support/spawn-flowcast';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-env';

// The client asks google-auth for a universe domain even against an emulator; skip the GCE probe.
process.env.METADATA_SERVER_DETECTION ??= 'none';

/**
 * The Must show through Google Pub/Sub: 10,000 reports (1% malformed, 5% duplicates)
 * published with the real client to the in-test Pub/Sub server, `flowcast ingest` killed with
 * SIGKILL midway and started again: exactly the unique valid reports are stored, every malformed
 * one is dead-lettered with its reason, and nothing is left unacknowledged on the server.
 */
describe('ingest survives kill -9 (Google Pub/Sub)', () => {
  const server = new FakePubSubServer();
  const project = 'flowcast-test';
  const topic = uniqueName('reports');
  const subscription = `${topic}-ingest`;
  const subscriptionPath = `projects/${project}/subscriptions/${subscription}`;
  const tenant = 'acme';
  let t: TestDatabase;

  beforeAll(async () => {
    await server.start();
    t = await createTestDatabase('fc_crash_ps');
  });
  afterAll(async () => {
    await server.stop();
    await t.drop();
  });

  it('stores exactly the unique valid reports, dead-letters the malformed ones and leaves nothing unacked', async () => {
    // The subscription must exist before publishing, or Pub/Sub keeps nothing for it.
    const admin = new PubSub({ projectId: project, apiEndpoint: server.host });
    await ensureTopicAndSubscription(admin, { topic, subscriptions: [subscription] });
    await admin.close();

    const fixtures = makeFixtures(10_000, 0.01, 0.05);
    const publisher = new PubSubTransport({
      logger: createLogger({ level: 'silent' }),
      projectId: project,
      topic,
      apiEndpoint: server.host,
      createMissing: false,
    });
    for (let i = 0; i < fixtures.lines.length; i += 1000) {
      await publisher.publish(fixtures.lines.slice(i, i + 1000).map((data) => ({ tenant, data })));
    }
    await publisher.close();
    expect(server.broker.subscriptionStats(subscriptionPath).unacked).toBe(fixtures.lines.length);

    const env = {
      DATABASE_URL: t.url,
      TRANSPORT: 'pubsub',
      PUBSUB_EMULATOR_HOST: server.host,
      PUBSUB_PROJECT: project,
      PUBSUB_TOPIC: topic,
      PUBSUB_INGEST_SUBSCRIPTION: subscription,
      PUBSUB_MAX_MESSAGES: '500',
      INGEST_BATCH_SIZE: '100',
      METADATA_SERVER_DETECTION: 'none',
    };
    const count = async () => Number((await t.db('reports').count<{ count: number }[]>('* as count'))[0]!.count);
    const deadLetters = async () => Number((await t.db('dead_letters').count<{ count: number }[]>('* as count'))[0]!.count);
    const unacked = () => server.broker.subscriptionStats(subscriptionPath).unacked;

    const first = spawnFlowcast(['ingest'], env);
    await waitFor('the first consumer to store some reports', async () => (await count()) >= 1500, 60_000, 5);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const storedBeforeKill = await count();
    expect(storedBeforeKill).toBeLessThan(fixtures.uniqueValid.size);
    // What the dead consumer held stays leased until its ack deadline runs out, then comes back.
    const orphaned = server.broker.subscriptionStats(subscriptionPath).leased;

    const second = spawnFlowcast(['ingest'], env);
    await waitFor(
      'every message to be stored or dead-lettered and acknowledged',
      async () => (await count()) === fixtures.uniqueValid.size && (await deadLetters()) === fixtures.malformed.length && unacked() === 0,
      90_000,
      100,
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    await expectExactlyIngested(t.db, fixtures, tenant, 'pubsub');

    // Nothing unacknowledged or leased; the killed consumer's leases expired and were redelivered.
    expect(server.broker.subscriptionStats(subscriptionPath)).toMatchObject({ unacked: 0, leased: 0 });
    const stats = server.broker.stats();
    expect(stats.expired).toBeGreaterThanOrEqual(orphaned);
    if (orphaned > 0) expect(stats.redelivered).toBeGreaterThan(0);
    expect(server.unimplemented).toEqual([]);
    console.log(
      `stored before kill: ${storedBeforeKill}; leased by the killed consumer: ${orphaned}; ` +
        `server: ${JSON.stringify(stats)}; RPCs: ${JSON.stringify(Object.fromEntries(server.calls))}`,
    );
  }, 180_000);
});
