import pino from 'pino';
import { createConsumerMetrics, createMetricsRegistry } from '../../core/metrics';
import type { StoredReport } from '../../core/store/insert-reports';
import { IngestConsumer } from '../../pipelines/ingest-consumer';
import type { IncomingMessage, Transport } from '../../pipelines/transport';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const ts = Date.UTC(2026, 10, 20, 6);
const message = (id: string, seq: number): IncomingMessage => ({
  id: `m${seq}`, tenant: 'acme', data: Buffer.from(JSON.stringify({ id, deviceId: `dev-${id}`, ts: new Date(ts + seq).toISOString() })),
});

/**
 * Batches are first inserted assuming every report is new (the cheaper insert); one that meets a
 * stored report is inserted again skipping it, and so are batches for a while after. Whatever the
 * path, each report is stored once and handed to the hooks once.
 */
describe('ingest consumer and reports already stored (real PostgreSQL)', () => {
  let t: TestDatabase;
  let clock = 0;
  const hooked: string[] = [];
  let consumer: IngestConsumer;
  let fastPathFailures = 0;
  const metrics = createConsumerMetrics(createMetricsRegistry('test'));

  beforeAll(async () => {
    t = await createTestDatabase('fc_dups');
    t.db.on('query-error', (err: { code?: string }) => void (err.code === '23505' && fastPathFailures++));
    consumer = new IngestConsumer({
      db: t.db, transport: { name: 'redis' } as unknown as Transport, logger: pino({ level: 'silent' }),
      metrics, now: () => clock, duplicateMemoryMs: 1000,
      hooks: [async (_trx, stored: StoredReport[]) => void hooked.push(...stored.map((s) => s.report.id))],
    });
  });
  afterAll(async () => {
    await t?.drop();
  });

  const storedIds = async () => ((await t.db('reports').select('report_id').orderBy('report_id')) as { report_id: string }[]).map((r) => r.report_id);

  it('stores each report once whether a batch is all new, meets stored reports or repeats one within itself', async () => {
    expect(await consumer.handleBatch([message('a', 1), message('b', 2)])).toEqual({ stored: 2, duplicates: 0, deadLetters: 0 });

    // A redelivered report and a report twice in one batch: the fast path fails, the batch is stored skipping them.
    clock = 10_000;
    expect(await consumer.handleBatch([message('a', 1), message('c', 3), message('c', 3), message('d', 4)])).toEqual({ stored: 2, duplicates: 2, deadLetters: 0 });
    expect(fastPathFailures).toBe(1);

    // Within the memory the skipping insert is used straight away; after it, the fast path again.
    clock = 10_500;
    expect(await consumer.handleBatch([message('b', 2), message('e', 5)])).toEqual({ stored: 1, duplicates: 1, deadLetters: 0 });
    expect(fastPathFailures).toBe(1);
    clock = 20_000;
    expect(await consumer.handleBatch([message('f', 6)])).toEqual({ stored: 1, duplicates: 0, deadLetters: 0 });
    expect(await consumer.handleBatch([message('f', 6), message('g', 7)])).toEqual({ stored: 1, duplicates: 1, deadLetters: 0 });
    expect(fastPathFailures).toBe(2);

    // How far behind the stream it is: from the oldest message's publish time.
    await consumer.handleBatch([{ ...message('h', 8), publishedAt: Date.now() - 5000 }, { ...message('i', 9), publishedAt: Date.now() }]);
    expect((await metrics.behindSeconds.get()).values[0]?.value).toBeGreaterThanOrEqual(5);

    expect(await storedIds()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
    expect([...hooked].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
    const devices = (await t.db('devices').select('device_id', 'reports').orderBy('device_id')) as { device_id: string; reports: string }[];
    expect(devices.map((d) => [d.device_id, Number(d.reports)])).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((id) => [`dev-${id}`, 1]));
  });
});
