import pino from 'pino';
import { createConsumerMetrics, createMetricsRegistry } from '../../core/metrics';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { IngestConsumer } from '../../pipelines/ingest-consumer';
import { createLegOutcomeRecorder } from '../../pipelines/leg-outcome-recorder';
import type { IncomingMessage, Transport } from '../../pipelines/transport';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const hour = 3_600_000;
const t0 = Date.UTC(2026, 10, 20, 6);
let seq = 0;
const message = (report: Record<string, unknown>, tenant = 'acme'): IncomingMessage => ({
  id: `m${seq}`, tenant, data: Buffer.from(JSON.stringify({ id: `r${seq++}`, deviceId: 'truck-1', ...report })),
});
const event = (shipmentId: string, code: string, hub: string | undefined, ts: number) =>
  message({ shipmentId, ts: new Date(ts).toISOString(), event: { code }, ...(hub ? { hub } : {}) });

describe('live arrivals become leg outcomes (ingest hook, real PostgreSQL)', () => {
  let t: TestDatabase;
  let consumer: IngestConsumer;

  beforeAll(async () => {
    t = await createTestDatabase('fc_outcomes');
    consumer = new IngestConsumer({
      db: t.db, transport: { name: 'redis' } as unknown as Transport, logger: pino({ level: 'silent' }),
      metrics: createConsumerMetrics(createMetricsRegistry('test')), hooks: [createLegOutcomeRecorder()],
    });
    await upsertShipmentLegs(t.db, 'acme', [
      { shipmentId: 'S1', seq: 0, mode: 'road', from: 'HAM', to: 'FRA', plannedDeparture: t0, plannedArrival: t0 + 4 * hour },
      { shipmentId: 'S1', seq: 1, mode: 'road', from: 'FRA', to: 'MUC', plannedDeparture: t0 + 5 * hour, plannedArrival: t0 + 9 * hour },
    ]);
  });
  afterAll(async () => {
    await t?.drop();
  });

  const outcomes = async () =>
    ((await t.db('leg_outcomes').select('tenant', 'shipment_id', 'seq', 'departed_at', 'arrived_at').orderBy('seq')) as {
      tenant: string; shipment_id: string; seq: number; departed_at: Date | null; arrived_at: Date;
    }[]).map((o) => ({ ...o, departed_at: o.departed_at?.getTime() ?? null, arrived_at: o.arrived_at.getTime() }));

  it('labels each leg with its first arrival and its departure, and nothing for unknown shipments or tenants', async () => {
    await consumer.handleBatch([event('S1', 'departed', 'HAM', t0 + 10 * 60_000), message({ shipmentId: 'S1', ts: new Date(t0 + hour).toISOString(), location: { lat: 52, lon: 9 } })]);
    expect(await outcomes()).toEqual([]);

    // Arrivals at FRA about 30 min late label leg 0 with the first of them; an arrival for a shipment nobody booked, or in another tenant, labels nothing.
    await consumer.handleBatch([
      event('S1', 'arrived', 'FRA', t0 + 4.5 * hour + 1000),
      event('S1', 'arrived', 'FRA', t0 + 4.5 * hour),
      event('S9', 'arrived', 'FRA', t0 + 4.5 * hour),
      message({ shipmentId: 'S1', ts: new Date(t0 + 4.5 * hour).toISOString(), event: { code: 'arrived' }, hub: 'FRA' }, 'globex'),
    ]);
    expect(await outcomes()).toEqual([{ tenant: 'acme', shipment_id: 'S1', seq: 0, departed_at: t0 + 10 * 60_000, arrived_at: t0 + 4.5 * hour }]);

    // A repeated arrival later does not move it; the next leg departs (no hub named) and arrives at MUC in one batch.
    await consumer.handleBatch([
      event('S1', 'arrived', 'FRA', t0 + 5 * hour),
      event('S1', 'departed', undefined, t0 + 5.2 * hour),
      event('S1', 'arrived', 'MUC', t0 + 9.1 * hour),
    ]);
    expect(await outcomes()).toEqual([
      { tenant: 'acme', shipment_id: 'S1', seq: 0, departed_at: t0 + 10 * 60_000, arrived_at: t0 + 4.5 * hour },
      { tenant: 'acme', shipment_id: 'S1', seq: 1, departed_at: t0 + 5.2 * hour, arrived_at: t0 + 9.1 * hour },
    ]);
  });
});
