import type { Report } from '../core/report';
import { createDb, type Db } from '../core/db';
import { createLogger } from '../core/logger';
import { createConsumerMetrics, createMetricsRegistry } from '../core/metrics';
import { migrateToLatest } from '../core/migrate';
import { dayOf, ensureReportPartitions } from '../core/store/ensure-report-partitions';
import { createFeatureUpdater, getHistoricalFeatureColumns, getHistoricalFeatures, getOnlineFeatures, networkId, type EntityRef, type HistoricalRow } from '../features';
import { IngestConsumer } from '../pipelines/ingest-consumer';
import { sampleReports, seededRandom } from '../pipelines/sample-reports';
import type { IncomingMessage, Transport } from '../pipelines/transport';
import { freshDatabase } from './fresh-database';
import { latencySummary } from './latency';
import type { Benchmark, BenchmarkOptions } from './run';

const hubs = ['ATL', 'ORD', 'DFW', 'DEN', 'LAX', 'JFK', 'SEA', 'MIA', 'PHX', 'BOS'];
const idle: Transport = { name: 'redis', publish: async () => undefined, consume: () => { throw new Error('unused'); }, close: async () => undefined };

async function freshMigratedDatabase(adminUrl: string, name: string): Promise<Db> {
  const db = createDb({ url: await freshDatabase(adminUrl, name), poolMax: 6 });
  await migrateToLatest(db);
  return db;
}

/** Sample truck reports; their departed/arrived events state a delay, as a carrier feed would. */
function* reports(devices: number, startMs: number): Generator<Report> {
  const random = seededRandom(7);
  for (const r of sampleReports({ devices, startMs, intervalSeconds: 30 })) {
    yield r.event ? { ...r, metrics: { ...r.metrics, delay_min: Math.round((random() * 90 - 20) * 10) / 10 } } : r;
  }
}

/**
 * A day of departed/arrived events at every hub before `endMs` (three a minute per hub, each with
 * a delay): ingested before the timed run, so online reads after it find hub windows (1 h, 3 h,
 * 24 h) full, as a running system does, instead of the few minutes the timed run covers.
 */
function* hubHistory(endMs: number): Generator<Report> {
  const random = seededRandom(17);
  const stepMs = 20_000;
  for (let ts = endMs - 86_400_000, k = 0; ts < endMs; ts += stepMs) {
    for (const hub of hubs) {
      yield {
        id: `h-${k++}`, deviceId: `history-${hub}`, ts: new Date(ts + Math.floor(random() * stepMs)).toISOString(), hub,
        event: { code: random() < 0.5 ? 'departed' : 'arrived' }, metrics: { delay_min: Math.round((random() * 90 - 20) * 10) / 10 },
      };
    }
  }
}

/** What every ingest loop of the bench shares: one metrics registry, a logger and (with features) the feature hook. */
function benchIngest(db: Db, withFeatures: boolean) {
  const registry = createMetricsRegistry('bench');
  const logger = createLogger({ level: 'warn', name: 'bench-features' });
  const metrics = createConsumerMetrics(registry);
  const hooks = withFeatures ? [createFeatureUpdater({ allowedLatenessMs: 15 * 60_000, logger, registry })] : [];
  return { registry, newConsumer: () => new IngestConsumer({ db, transport: idle, logger, metrics, hooks }) };
}

const message = (id: string, r: Report): IncomingMessage => ({ id, tenant: 'bench', data: Buffer.from(JSON.stringify(r)) });

async function ingestUntimed(db: Db, source: Iterable<Report>): Promise<number> {
  const consumer = benchIngest(db, true).newConsumer();
  let batch: IncomingMessage[] = [];
  let stored = 0;
  for (const r of source) {
    batch.push(message(`history-${r.id}`, r));
    if (batch.length === 2000) [stored, batch] = [stored + (await consumer.handleBatch(batch)).stored, []];
  }
  if (batch.length > 0) stored += (await consumer.handleBatch(batch)).stored;
  return stored;
}

// Reports made ready per timed second: more than this machine ingests, so a run never runs dry.
const preparedPerSecond = 40_000;

/**
 * The timed run's reports, serialised before the clock starts: producing them is the trackers'
 * and the transport's work, not ingest's (the ingest bench publishes from another process). Made
 * inside the timed loop they took ~4 µs of the consumer's thread each. One buffer (a message is a
 * slice of it), so the run does not hold hundreds of thousands of small objects.
 */
function preparedReports(n: number, devices: number, startMs: number): { take(from: number, to: number): IncomingMessage[]; count: number; eventTimes: Float64Array } {
  const source = reports(devices, startMs);
  const eventTimes = new Float64Array(n);
  const offsets = new Uint32Array(n + 1);
  const texts: string[] = [];
  for (let seq = 0; seq < n; seq++) {
    const r = source.next().value as Report;
    const text = JSON.stringify(r);
    eventTimes[seq] = Date.parse(r.ts);
    offsets[seq + 1] = (offsets[seq] as number) + Buffer.byteLength(text);
    texts.push(text);
  }
  const all = Buffer.from(texts.join(''));
  const take = (from: number, to: number) =>
    Array.from({ length: Math.min(to, n) - from }, (_, k) => ({ id: String(from + k), tenant: 'bench', data: all.subarray(offsets[from + k], offsets[from + k + 1]) }));
  return { take, count: n, eventTimes };
}

/** Ingest (insert, devices) with or without the feature hook, `consumers` loops sharing one stream, for `seconds`. */
async function driveIngest(db: Db, withFeatures: boolean, seconds: number, devices: number, consumers: number, startMs: number) {
  const { registry, newConsumer } = benchIngest(db, withFeatures);
  const prepared = preparedReports(Math.ceil(seconds * preparedPerSecond), devices, startMs);
  let next = 0;
  let stored = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: consumers }, async () => {
      const consumer = newConsumer();
      while (Date.now() < deadline && next < prepared.count) {
        const batch = prepared.take(next, (next += 2000));
        stored += (await consumer.handleBatch(batch)).stored;
      }
    }),
  );
  const lastTs = prepared.eventTimes[Math.min(next, prepared.count) - 1] as number;
  return { perSec: Math.round(stored / ((Date.now() - started) / 1000)), lastTs, hookShare: await hookShare(registry) };
}

/** The feature hook's share of the batches' time (both histograms' sums, over every consumer loop). */
async function hookShare(registry: ReturnType<typeof createMetricsRegistry>): Promise<number | null> {
  const sum = async (name: string) =>
    (await registry.getSingleMetric(name)?.get())?.values.find((v) => (v as { metricName?: string }).metricName === `${name}_sum`)?.value ?? 0;
  const batches = await sum('flowcast_consumer_batch_seconds');
  return batches > 0 ? Math.round((await sum('flowcast_feature_update_seconds')) / batches * 100) / 100 : null;
}

function historicalRows(n: number, devices: number, fromMs: number, toMs: number): HistoricalRow[] {
  const random = seededRandom(11);
  return Array.from({ length: n }, () => {
    const r = random();
    const entity: EntityRef = r < 0.3 ? { type: 'hub', id: hubs[Math.floor(random() * hubs.length)] as string }
      : r < 0.35 ? { type: 'network', id: networkId } : { type: 'device', id: `truck-${Math.floor(random() * devices)}` };
    return { entity, at: fromMs + Math.floor(random() * (toMs - fromMs)) };
  });
}

/**
 * Seconds to read the columns of `rows` (what a training set is made of), after one untimed pass,
 * so it finds the tiles in the buffer cache and the code compiled.
 */
async function timeColumns(db: Db, rows: HistoricalRow[]): Promise<number> {
  await getHistoricalFeatureColumns(db, { tenant: 'bench', rows });
  const h0 = Date.now();
  await getHistoricalFeatureColumns(db, { tenant: 'bench', rows });
  return (Date.now() - h0) / 1000;
}

/**
 * Point-in-time reads as training makes them, of settled history: vacuumed, as autovacuum leaves
 * report partitions (every million reports, migration 0034), so a device's events are read from
 * the primary key alone. Also timed before the vacuum, right after ingest (each event then also
 * fetched from the table), and, for comparison, one FeatureVector object per row.
 */
async function timeHistorical(db: Db, rows: HistoricalRow[]): Promise<{ freshSeconds: number; historicalSeconds: number; objectSeconds: number }> {
  const freshSeconds = await timeColumns(db, rows);
  await db.raw('VACUUM reports');
  const historicalSeconds = await timeColumns(db, rows);
  const o0 = Date.now();
  await getHistoricalFeatures(db, { tenant: 'bench', rows });
  return { freshSeconds, historicalSeconds, objectSeconds: (Date.now() - o0) / 1000 };
}

/** Online read latencies, and after each a `SELECT 1` round trip: the floor the machine's load sets. */
async function onlineLatencies(db: Db, requests: number, devices: number, fromMs: number, toMs: number): Promise<{ reads: number[]; floor: number[] }> {
  const random = seededRandom(13);
  const out: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < requests; i++) {
    const entities: EntityRef[] = [
      ...[0, 1, 2, 3].map(() => ({ type: 'hub' as const, id: hubs[Math.floor(random() * hubs.length)] as string })),
      ...[0, 1, 2, 3, 4].map(() => ({ type: 'device' as const, id: `truck-${Math.floor(random() * devices)}` })),
      { type: 'network', id: networkId },
    ];
    const at = fromMs + Math.floor(random() * (toMs - fromMs));
    const t0 = process.hrtime.bigint();
    await getOnlineFeatures(db, { tenant: 'bench', entities, at });
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const t1 = process.hrtime.bigint();
    await db.raw('SELECT 1');
    floor.push(Number(process.hrtime.bigint() - t1) / 1e6);
  }
  return { reads: out, floor };
}

export const benchmark: Benchmark = {
  name: 'features',
  description: 'ingest batches with and without the rolling-feature hook (database work, no transport), then point-in-time and online reads',
  async run(options: BenchmarkOptions) {
    const seconds = options.seconds ?? 20;
    const devices = Number(options.devices ?? 3000);
    // One loop: two loops that always have a batch ready took twice the CPU per report here, in
    // Node and PostgreSQL alike, and stored fewer (docs/BENCHMARKS.md, eighth session).
    // `flowcast ingest`'s second batch in flight overlaps reading the transport instead.
    const consumers = Number(options.consumers ?? 1);
    const historical = Number(options.rows ?? 200_000);
    // Empty daily report partitions before the ingested days, as a year of stored reports leaves:
    // every read of device features is one statement over the partitioned reports table.
    const extraPartitions = Number(options['extra-partitions'] ?? 0);
    const adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) throw new Error('DATABASE_URL must be set: run it as `npm run bench -- features` or `make bench`');
    const startMs = Date.now() - 3 * 86_400_000;

    const baseDb = await freshMigratedDatabase(adminUrl, 'flowcast_bench_features_base');
    const baseline = await driveIngest(baseDb, false, Math.max(5, seconds / 2), devices, consumers, startMs);
    await baseDb.destroy();

    const db = await freshMigratedDatabase(adminUrl, 'flowcast_bench_features');
    await ensureReportPartitions(db, Array.from({ length: extraPartitions }, (_, k) => dayOf(startMs) - 2 - k));
    const historyReports = await ingestUntimed(db, hubHistory(startMs));
    const updates = await driveIngest(db, true, seconds, devices, consumers, startMs);
    await db.raw('ANALYZE feature_entity_tiles, reports');
    const tiles = Number((await db.raw('SELECT count(*) AS n FROM feature_entity_tiles')).rows[0].n);
    // Device events are the reports features count.
    const events = Number((await db.raw('SELECT count(*) AS n FROM reports WHERE in_features')).rows[0].n);

    // Read instants inside the ingested event-time range (its second half: windows partly filled).
    const readFrom = startMs + Math.min(3_600_000, Math.floor((updates.lastTs - startMs) / 2));
    // Online reads first, as an API process would serve them: after a training read in the same
    // process they were ~20 % slower (its heap, and its types in the shared read code). And before
    // any vacuum, as a read at `now` finds the newest reports.
    await onlineLatencies(db, 200, devices, startMs, updates.lastTs); // warm-up
    const measured = await onlineLatencies(db, 3000, devices, readFrom, updates.lastTs);
    const { freshSeconds, historicalSeconds, objectSeconds } = await timeHistorical(db, historicalRows(historical, devices, readFrom, updates.lastTs));
    const online = latencySummary(measured.reads);
    const floor = latencySummary(measured.floor);
    await db.destroy();
    return {
      updatesPerSec: updates.perSec,
      ingestOnlyPerSec: baseline.perSec,
      featureHookShareOfBatchTime: updates.hookShare,
      historicalRowsPerSec: Math.round(historical / historicalSeconds),
      historicalUnvacuumedRowsPerSec: Math.round(historical / freshSeconds),
      historicalObjectRowsPerSec: Math.round(historical / objectSeconds),
      onlineP50Ms: online.p50,
      onlineP99Ms: online.p99,
      select1P99Ms: floor.p99,
      devices,
      consumers,
      tiles,
      events,
      historicalRows: historical,
      extraPartitions,
      historyReports,
      seconds,
    };
  },
};
