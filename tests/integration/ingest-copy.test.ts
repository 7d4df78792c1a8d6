import pino from 'pino';
import { createConsumerMetrics, createMetricsRegistry } from '../../core/metrics';
import type { Report } from '../../core/report';
import { dayOf, ensureReportPartitions } from '../../core/store/ensure-report-partitions';
import { insertReports } from '../../core/store/insert-reports';
import { IngestConsumer } from '../../pipelines/ingest-consumer';
import type { Transport } from '../../pipelines/transport';
import { createTestDatabase, type TestDatabase } from './support/test-env';

/**
 * A batch of new reports is stored with COPY (text format): whatever a producer's JSON holds —
 * whitespace between tokens, escapes, backslashes and tabs inside ids, non-ASCII text — the body
 * and the ids must be stored exactly as received.
 */
describe('ingest stores reports with COPY byte for byte (real PostgreSQL)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('fc_ingest_copy');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('keeps every body and id exactly', async () => {
    const bodies = [
      '{\t"id": "r\\\\1",\n "deviceId": "dev\\tA\\\\B",\r\n "ts": "2026-11-20T06:00:00.000Z", "text": "z\\u00fcrich \\"quoted\\" \\\\N ✓"}',
      '{"id":"r2","deviceId":"plain","ts":"2026-11-20T06:00:01.000+01:00","metrics":{"battery_pct":-0.5},"event":{"code":"exception","detail":"tab\\there"}}',
    ];
    const consumer = new IngestConsumer({
      db: t.db, transport: { name: 'redis' } as unknown as Transport, logger: pino({ level: 'silent' }),
      metrics: createConsumerMetrics(createMetricsRegistry('test')),
    });
    const statements: string[] = [];
    t.db.on('query', (q: { sql: string }) => void statements.push(q.sql));
    const outcome = await consumer.handleBatch(bodies.map((b, i) => ({ id: `m${i}`, tenant: 'acme', data: Buffer.from(b) })));
    expect(outcome).toEqual({ stored: 2, duplicates: 0, deadLetters: 0 });
    const rows = (await t.db.raw('SELECT device_id, report_id, body::text AS body FROM reports ORDER BY report_id')).rows;
    expect(rows).toEqual([
      { device_id: 'plain', report_id: 'r2', body: bodies[1] },
      { device_id: 'dev\tA\\B', report_id: 'r\\1', body: bodies[0] },
    ]);
    // They went in by COPY: no INSERT into reports passed through knex.
    expect(statements.filter((sql) => /INSERT INTO reports/.test(sql))).toEqual([]);
  });

  it('writes the values device features read, the same by COPY and by INSERT', async () => {
    const ts = '2026-11-21T06:00:00.000Z';
    const reports: Report[] = [
      { id: 'a', deviceId: 'd1', ts, location: { lat: 1, lon: 2, speedKph: 52.300000000000004 } },
      { id: 'b', deviceId: 'd1', ts, metrics: { battery_pct: 1e-7, temp_c: 4 } },
      { id: 'c', deviceId: 'd1', ts, location: { lat: 1, lon: 2 }, metrics: { battery_pct: 0 } },
    ];
    await ensureReportPartitions(t.db, [dayOf(Date.parse(ts))]);
    await insertReports(t.db, reports.map((report) => ({ tenant: 'by-copy', report })), 'fail');
    await insertReports(t.db, reports.map((report) => ({ tenant: 'by-insert', report })), 'skip');
    const columns = async (tenant: string) =>
      (await t.db.raw('SELECT report_id, speed_kph, battery_pct, in_features FROM reports WHERE tenant = ? ORDER BY report_id', [tenant])).rows;
    const expected = [
      { report_id: 'a', speed_kph: 52.300000000000004, battery_pct: null, in_features: true },
      { report_id: 'b', speed_kph: null, battery_pct: 1e-7, in_features: true },
      { report_id: 'c', speed_kph: null, battery_pct: 0, in_features: true },
    ];
    expect(await columns('by-copy')).toEqual(expected);
    expect(await columns('by-insert')).toEqual(expected);
  });

  it('stores event time to the millisecond, as Date.parse reads it, by COPY and by INSERT', async () => {
    const ts = '2026-11-22T06:00:00.9999996Z';
    await ensureReportPartitions(t.db, [dayOf(Date.parse(ts))]);
    const report: Report = { id: 'fine', deviceId: 'd1', ts };
    await insertReports(t.db, [{ tenant: 'fine-copy', report }], 'fail');
    await insertReports(t.db, [{ tenant: 'fine-insert', report }], 'skip');
    const stored = (await t.db.raw("SELECT tenant, ts, body->>'ts' AS sent FROM reports WHERE report_id = 'fine' ORDER BY tenant")).rows;
    expect(stored.map((r: { ts: Date }) => r.ts.getTime())).toEqual([Date.parse(ts), Date.parse(ts)]);
    // PostgreSQL alone would have rounded it into the next millisecond; the body keeps it as sent.
    expect(Date.parse(ts) % 1000).toBe(999);
    expect(stored.map((r: { sent: string }) => r.sent)).toEqual([ts, ts]);
  });
});
