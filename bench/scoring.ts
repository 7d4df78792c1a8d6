import { Redis } from 'ioredis';
import { createDb } from '../core/db';
import { createLogger } from '../core/logger';
import { migrateToLatest } from '../core/migrate';
import { createApiKey } from '../core/store/create-api-key';
import { RedisStreamsTransport } from '../pipelines/redis-streams-transport';
import { startFlowcast, stopChild } from './child-process';
import { freshDatabase } from './fresh-database';
import { latencySummary } from './latency';
import { listenForOpenedAlerts } from './alert-stream-listener';
import type { Benchmark, BenchmarkOptions } from './run';

const tenant = 'bench';

/**
 * `flowcast score` and `flowcast api` run as processes of their own; this process publishes
 * reports at a fixed rate (a few planted low-battery conditions among them, each on a device of
 * its own) and listens on the SSE stream. Latency = publish of the planted report → its alert
 * event read from the stream; missed = planted conditions with no alert.
 */
export const benchmark: Benchmark = {
  name: 'scoring',
  description: 'reports → scoring consumer (own process) → alert on the SSE stream of the API (own process)',
  async run(options: BenchmarkOptions) {
    const seconds = options.seconds ?? 20;
    const rate = Number(options.rate ?? 5000);
    const devices = Number(options.devices ?? 3000);
    const plantedPerSec = Number(options.planted ?? 20);
    const databaseUrl = process.env.DATABASE_URL;
    const redisUrl = process.env.REDIS_URL;
    if (!databaseUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL must be set: run it as `npm run bench -- scoring`');
    const dbUrl = await freshDatabase(databaseUrl, 'flowcast_bench_scoring');
    const db = createDb({ url: dbUrl, poolMax: 2 });
    await migrateToLatest(db);
    const { key } = await createApiKey(db, { tenant, scopes: ['read'] });
    const streamKey = `flowcast:bench:scoring:${Date.now()}`;
    const port = String(18_000 + Math.floor(Math.random() * 1000));
    const env = { DATABASE_URL: dbUrl, REDIS_URL: redisUrl, STREAM_KEY: streamKey, STREAM_GROUPS: 'scoring', LOG_LEVEL: 'warn', HTTP_PORT: port, HTTP_HOST: '127.0.0.1' };
    const scorer = await startFlowcast(['score', '--no-webhooks'], { ...env, LOG_LEVEL: 'info' }, /scoring consumer started/);
    const api = await startFlowcast(['api'], { ...env, LOG_LEVEL: 'info' }, /API listening/);

    const redis = new Redis(redisUrl);
    const transport = new RedisStreamsTransport({ redis, logger: createLogger({ level: 'warn' }), streamKey });
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    const stream = await listenForOpenedAlerts(`http://127.0.0.1:${port}/v1/alerts/stream`, key, ({ deviceId }) => {
      if (deviceId === null) return;
      const at = sent.get(deviceId);
      if (at !== undefined && !deviceId.startsWith('seen:')) {
        latencies.push(Date.now() - at);
        sent.set(`seen:${deviceId}`, 1);
      }
    });

    let published = 0;
    let planted = 0;
    const started = Date.now();
    const tickMs = 10;
    while (Date.now() - started < seconds * 1000) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate) - published;
      const plantDue = Math.floor(((Date.now() - started) / 1000) * plantedPerSec) - planted;
      const batch: string[] = [];
      const ts = new Date().toISOString();
      for (let i = 0; i < due; i++) {
        const d = `dev-${(published + i) % devices}`;
        batch.push(JSON.stringify({ id: `r${published + i}`, deviceId: d, ts, location: { lat: 48 + ((published + i) % 100) / 100, lon: 11 }, metrics: { battery_pct: 60 + ((published + i) % 40), temp_c: 4 } }));
      }
      const plantedNow: string[] = [];
      for (let i = 0; i < plantDue; i++) {
        const d = `planted-${planted + i}`;
        plantedNow.push(d);
        batch.push(JSON.stringify({ id: `p${planted + i}`, deviceId: d, ts, location: { lat: 50, lon: 8 }, metrics: { battery_pct: 5 } }));
      }
      const at = Date.now();
      await transport.publish(batch.map((data) => ({ tenant, data })));
      for (const d of plantedNow) sent.set(d, at);
      published += due;
      planted += plantDue;
      await new Promise((r) => setTimeout(r, tickMs));
    }
    const publishSeconds = (Date.now() - started) / 1000;
    const drainedAt = await waitDrained(redis, streamKey, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    stream.close();
    const total = published + planted;
    const summary = latencySummary(latencies);
    await Promise.all([stopChild(scorer), stopChild(api)]);
    await redis.del(streamKey);
    redis.disconnect();
    await db.destroy();
    return {
      reportsPerSec: Math.round(total / ((drainedAt - started) / 1000)),
      offeredPerSec: Math.round(total / publishSeconds),
      alertP50Ms: summary.p50,
      alertP99Ms: summary.p99,
      alertMaxMs: summary.max,
      alertsRaised: latencies.length,
      plantedConditions: planted,
      missedAlerts: planted - latencies.length,
      reports: total,
      seconds: Math.round(publishSeconds * 10) / 10,
    };
  },
};


/** Resolves with the time at which the scoring group had read and acknowledged everything. */
async function waitDrained(redis: Redis, streamKey: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const groups = (await redis.xinfo('GROUPS', streamKey)) as unknown[][];
    const g = groups.map((x) => Object.fromEntries(Array.from({ length: x.length / 2 }, (_, i) => [String(x[2 * i]), x[2 * i + 1]])))[0];
    if (g && Number(g.lag) === 0 && Number(g.pending) === 0) return Date.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the scoring consumer did not drain the stream in time');
}
