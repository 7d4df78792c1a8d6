import pino from 'pino';
import { createConsumerMetrics, createMetricsRegistry } from '../../core/metrics';
import type { AppliedChanges } from '../../pipelines/alerts/apply-conditions';
import { RulesCache } from '../../pipelines/alerts/rules-cache';
import { ScoringConsumer } from '../../pipelines/scoring-consumer';
import { noChampion } from '../../pipelines/scoring/delay-scorer';
import { partitionOfDevice } from '../../pipelines/scoring/report-partition';
import type { IncomingMessage, Transport } from '../../pipelines/transport';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const start = Date.UTC(2026, 10, 23, 9);
let seq = 0;
const battery = (deviceId: string, pct: number): IncomingMessage => {
  seq++;
  return { id: `m${seq}`, tenant: 'acme', data: Buffer.from(JSON.stringify({ id: `r${seq}`, deviceId, ts: new Date(start + seq * 1000).toISOString(), metrics: { battery_pct: pct } })) };
};

/**
 * Two scoring processes splitting the devices (SCORING_PARTITIONS=2): each reads every report and
 * scores only its own devices', so each device's alert opens once and clears once, from one place.
 */
describe('scoring partitions (real PostgreSQL)', () => {
  let t: TestDatabase;
  const registry = createMetricsRegistry('test');
  const metrics = createConsumerMetrics(registry);
  let consumers: ScoringConsumer[];

  beforeAll(async () => {
    t = await createTestDatabase('fc_scoring_partitions');
    const logger = pino({ level: 'silent' });
    consumers = [0, 1].map((index) => new ScoringConsumer({
      db: t.db, transport: { name: 'redis' } as unknown as Transport, logger, metrics,
      rules: new RulesCache(t.db, logger, 0), scorer: noChampion, afterCommit: async () => undefined, partition: { index, count: 2 },
    }));
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('opens and resolves each device\'s alert exactly once, in the partition that owns the device', async () => {
    const devices = Array.from({ length: 12 }, (_, i) => `truck-${i}`);
    const owner = new Map(devices.map((d) => [d, partitionOfDevice(d, 2)]));
    expect(new Set(owner.values())).toEqual(new Set([0, 1]));

    // Every consumer is handed every report, as each partition's group is.
    const low = devices.map((d) => battery(d, 5));
    const good = devices.map((d) => battery(d, 90));
    const byConsumer: AppliedChanges[][] = [];
    for (const batch of [low, good]) byConsumer.push(await Promise.all(consumers.map((c) => c.handleBatch(batch))));

    for (const [k, [opened, resolved]] of [0, 1].map((k) => [k, byConsumer.map((applied) => applied[k]!)] as const)) {
      const mine = devices.filter((d) => owner.get(d) === k).sort();
      expect(opened!.events.filter((e) => e.event.action === 'opened').map((e) => e.event.alert.deviceId).sort()).toEqual(mine);
      expect(resolved!.events.filter((e) => e.event.action === 'resolved').map((e) => e.event.alert.deviceId).sort()).toEqual(mine);
    }
    const alerts = (await t.db('alerts').where({ tenant: 'acme', kind: 'battery_low' }).select('device_id', 'state')) as { device_id: string; state: string }[];
    expect(alerts.map((a) => a.device_id).sort()).toEqual([...devices].sort());
    expect(alerts.every((a) => a.state === 'resolved')).toBe(true);

    const counted = await registry.getSingleMetric('flowcast_consumer_messages_total')!.get();
    const of = (outcome: string) => counted.values.find((v) => v.labels.outcome === outcome)?.value;
    // Each report was scored by one consumer and passed over by the other.
    expect(of('scored')).toBe(2 * devices.length);
    expect(of('other_partition')).toBe(2 * devices.length);
    expect(of('invalid')).toBeUndefined();
  });
});
