import { spawn } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../core/config';
import { createDb } from '../core/db';
import { createLogger } from '../core/logger';
import { createConsumerMetrics, createMetricsRegistry } from '../core/metrics';
import { migrateToLatest } from '../core/migrate';
import { createFeatureUpdater } from '../features';
import { IngestConsumer } from '../pipelines/ingest-consumer';
import { RedisStreamsTransport } from '../pipelines/redis-streams-transport';
import { freshDatabase } from './fresh-database';
import { latencySummary } from './latency';
import type { Benchmark, BenchmarkOptions } from './run';

interface PublisherResult {
  published: number;
  seconds: number;
}

/** Runs the load generator as a second process and resolves with what it published. */
function runPublisher(redisUrl: string, streamKey: string, rate: number, seconds: number, devices: number): Promise<PublisherResult> {
  const script = path.join(__dirname, 'ingest-publisher.js');
  const child = spawn(process.execPath, [script, redisUrl, streamKey, 'bench', String(rate), String(seconds), String(devices)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as PublisherResult) : reject(new Error(`publisher exited with ${code}`))));
  });
}

export const benchmark: Benchmark = {
  name: 'ingest',
  description: 'Redis Streams → ingest consumer (with rolling features unless --features false) → Postgres, load from a second process; latency = publish → committed',
  async run(options: BenchmarkOptions) {
    const seconds = options.seconds ?? 60;
    const rate = Number(options.rate ?? 25_000);
    const devices = Number(options.devices ?? 3000);
    // As `flowcast ingest` runs it: rolling features updated in each batch's transaction.
    const withFeatures = String(options.features ?? 'true') !== 'false';
    const databaseUrl = process.env.DATABASE_URL;
    const redisUrl = process.env.REDIS_URL;
    if (!databaseUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL must be set: run it as `npm run bench -- ingest` or `make bench`');

    const db = createDb({ url: await freshDatabase(databaseUrl, 'flowcast_bench_ingest'), poolMax: 4 });
    await migrateToLatest(db);
    const redis = new Redis(redisUrl);
    const streamKey = `flowcast:bench:ingest:${Date.now()}`;
    const logger = createLogger({ level: 'warn', name: 'bench-ingest' });
    const transport = new RedisStreamsTransport({ redis, logger, streamKey, trimIntervalMs: 1000 });
    const latencies: number[] = [];
    let committed = 0;
    const registry = createMetricsRegistry('bench');
    const hooks = withFeatures ? [createFeatureUpdater({ allowedLatenessMs: loadConfig().FEATURE_ALLOWED_LATENESS_MS, logger, registry })] : [];
    const consumer = new IngestConsumer({
      db, transport, logger, metrics: createConsumerMetrics(registry), hooks, batchesInFlight: Number(options['in-flight'] ?? loadConfig().INGEST_BATCHES_IN_FLIGHT),
      onCommitted: (batch, at) => {
        committed += batch.length;
        for (const m of batch) if (m.publishedAt) latencies.push(at - m.publishedAt);
      },
    });
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    consumer.start();
    const progress = setInterval(() => process.stderr.write(`  ${Math.round((Date.now() - started) / 1000)} s: ${committed} committed\n`), 5000);
    const published = await runPublisher(redisUrl, streamKey, rate, seconds, devices);
    // Drain: everything published must be committed before we stop measuring.
    const drainDeadline = Date.now() + 120_000;
    while (committed < published.published && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
    const elapsed = (Date.now() - started) / 1000;
    clearInterval(progress);
    await consumer.stop();
    const cpu = process.cpuUsage(cpuBefore);

    const { rows, distinct } = (await db.raw(
      'SELECT count(*)::int AS rows, count(DISTINCT (device_id, report_id))::int AS distinct FROM reports',
    )).rows[0] as { rows: number; distinct: number };
    await transport.close();
    await redis.del(streamKey);
    redis.disconnect();
    await db.destroy();

    const lat = latencySummary(latencies);
    return {
      features: withFeatures,
      targetRate: rate,
      devices,
      published: published.published,
      reportsPerSec: Math.round(rows / elapsed),
      p50Ms: lat.p50,
      p99Ms: lat.p99,
      maxMs: lat.max,
      lost: published.published - distinct,
      duplicated: rows - distinct,
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
      consumerCpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / elapsed) * 100),
      seconds: Math.round(elapsed * 10) / 10,
    };
  },
};
