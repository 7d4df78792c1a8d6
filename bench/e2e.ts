import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createDb } from '../core/db';
import { migrateToLatest } from '../core/migrate';
import { createApiKey } from '../core/store/create-api-key';
import { startFlowcast, stopChild } from './child-process';
import { type Truth, countAlertOutcomes, type SeenAlert } from './e2e-truth';
import { freshDatabase } from './fresh-database';
import { latencySummary } from './latency';
import { ProcessSampler, watchPostgres } from './e2e-process-sampler';
import { listenForOpenedAlerts } from './alert-stream-listener';
import type { Benchmark, BenchmarkOptions } from './run';

const tenant = 'bench';

/**
 * The whole pipeline as it runs in production, on this machine: `flowcast ingest` (reports and
 * rolling features), `flowcast score` (rules, sorter anomalies, delay scoring, alerts) and
 * `flowcast api` as processes of their own, on a fresh database and a stream of their own; the
 * fleet simulator (`flowcast simulate --via http`, real time) in another process posts NDJSON to
 * the API with an API key. This process only listens on the SSE alert stream and samples CPU and
 * memory. Alert latency = SSE receipt − the event time of the report that raised it (the
 * simulator sends a report as soon as its event time has passed). Missed and false alerts come
 * from the simulator's ground truth (bench/e2e-truth.ts says which conditions count).
 */
export const benchmark: Benchmark = {
  name: 'e2e',
  description: 'simulator (own process, HTTP) → API → stream → ingest + features and scoring + alerts (own processes) → SSE',
  async run(options: BenchmarkOptions) {
    const seconds = Math.min(Number(options.seconds ?? 30), 600);
    const devices = Number(options.devices ?? 20_000);
    // Every device every 10 s unless told otherwise: at the target's once a minute, a run of seconds
    // plants nothing it can see (a device's fault starts after its first report). --rate devices/60 for that ratio.
    const rate = Number(options.rate ?? Math.round(devices / 10));
    const faultRate = Number(options.faultRate ?? 0.02);
    const databaseUrl = process.env.DATABASE_URL;
    const redisUrl = process.env.REDIS_URL;
    if (!databaseUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL must be set: run it as `npm run bench -- e2e`');
    const dbName = 'flowcast_bench_e2e';
    const dbUrl = await freshDatabase(databaseUrl, dbName);
    const db = createDb({ url: dbUrl, poolMax: 2 });
    await migrateToLatest(db);
    const { key } = await createApiKey(db, { tenant, scopes: ['ingest', 'read', 'admin'], name: 'e2e bench' });
    const streamKey = `flowcast:bench:e2e:${Date.now()}`;
    const port = String(18_000 + Math.floor(Math.random() * 1000));
    const base = `http://127.0.0.1:${port}`;
    const env = { DATABASE_URL: dbUrl, REDIS_URL: redisUrl, STREAM_KEY: streamKey, STREAM_GROUPS: 'ingest,scoring', HTTP_PORT: port, HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info' };
    const redis = new Redis(redisUrl);
    const children: ChildProcess[] = [];
    let sim: ChildProcess | undefined;
    try {
      const ingest = await startFlowcast(['ingest'], env, /ingest consumer started/);
      children.push(ingest);
      const scorer = await startFlowcast(['score', '--no-webhooks'], env, /scoring consumer started/);
      children.push(scorer);
      const api = await startFlowcast(['api'], env, /API listening/);
      children.push(api);

      // The simulator's thresholds as the tenant's rules: battery below 20 %, cold chain 2–8 °C, drone risk ≥ 0.8.
      const rules = await fetch(`${base}/v1/alert-rules`, {
        method: 'PUT', headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ batteryPct: { raise: 20, clear: 20 }, metricRanges: { temp_c: { min: 2, max: 8 } }, droneRisk: { raise: 0.8, clear: 0.6 } }),
      });
      if (!rules.ok) throw new Error(`PUT /v1/alert-rules answered ${rules.status}: ${await rules.text()}`);

      const seen: SeenAlert[] = [];
      const stream = await listenForOpenedAlerts(`${base}/v1/alerts/stream`, key, (a) =>
        seen.push({ kind: a.kind, deviceId: a.deviceId, subjectId: a.subject.id, triggeredAt: a.triggeredAt, receivedAt: Date.now() }),
      );

      const truthFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'flowcast-e2e-')), 'truth.json');
      const sampler = new ProcessSampler({ ingest: ingest.pid!, scoring: scorer.pid!, api: api.pid! });
      const stopPgWatch = await watchPostgres(sampler, db, dbName, 500);
      const loadBefore = os.loadavg();
      const cli = path.join(__dirname, '..', 'cli', 'flowcast.js');
      const started = Date.now();
      sim = spawn(process.execPath, [
        cli, 'simulate', '--via', 'http', '--api-url', base, '--api-key', key, '--devices', String(devices), '--rate', String(rate),
        '--seconds', String(seconds), '--seed', '7', '--fault-rate', String(faultRate), '--batch', '2000', '--truth', truthFile,
      ], { env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
      sampler.add('simulator', [sim.pid!]);
      let simOut = '';
      let simErr = '';
      sim.stdout!.on('data', (d: Buffer) => (simOut += d.toString()));
      let measuring = false;
      sim.stderr!.on('data', (d: Buffer) => {
        simErr = (simErr + d.toString()).slice(-20_000);
        // CPU and memory are measured from the simulator's first send (its set-up loads the flights) to the drain.
        if (!measuring && /set up in \d+ ms/.test(simErr)) {
          measuring = true;
          sampler.restart();
        }
      });
      const simCode = await new Promise<number | null>((resolve) => sim!.on('exit', resolve));
      const simEnded = Date.now();
      if (simCode !== 0) throw new Error(`the simulator exited with ${simCode}:\n${simErr}`);
      const simSummary = JSON.parse(simOut.trim().split('\n').pop()!) as { reports: number; rejected: number; setupMs: number; wallSeconds: number; reportsPerSec: number };
      // Reports are all in the stream once the API has answered; the consumers may still be behind.
      const drained = await waitDrained(redis, streamKey, ['ingest', 'scoring'], 120_000);
      const drainedAt = drained ?? Date.now();
      stopPgWatch();
      const usage = sampler.stop();
      await new Promise((r) => setTimeout(r, 1500));
      stream.close();
      const loadAfter = os.loadavg();
      const stored = Number((await db('reports').count<{ n: string }[]>('* as n'))[0]?.n ?? 0);

      const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Truth;
      // Event time runs behind the wall clock by the simulator's set-up (its event clock starts before it).
      const outcomes = countAlertOutcomes(truth, seen, simSummary.setupMs);
      const latency = latencySummary(outcomes.latenciesMs);
      const pipelineSeconds = (drainedAt - started) / 1000 - simSummary.setupMs / 1000;
      const pipeline = usage.cpuPct.ingest! + usage.cpuPct.scoring! + usage.cpuPct.api! + usage.cpuPct.postgres!;
      return {
        devices,
        reportIntervalSec: Math.round((devices / rate) * 10) / 10,
        reportsPerSec: Math.round(simSummary.reports / Math.max(pipelineSeconds, simSummary.wallSeconds)),
        offeredPerSec: rate,
        sentPerSec: simSummary.reportsPerSec,
        alertP50Ms: orNull(latency.p50),
        alertP99Ms: orNull(latency.p99),
        alertMaxMs: orNull(latency.max),
        alertsMeasured: outcomes.latenciesMs.length,
        missedAlerts: outcomes.missed,
        falseAlerts: outcomes.falseAlerts,
        countedConditions: outcomes.counted,
        alertsByKind: outcomes.byKind,
        cpuPct: Math.round(pipeline),
        cpuPctByProcess: usage.cpuPct,
        rssMb: Math.round(usage.peakRssMb.ingest! + usage.peakRssMb.scoring! + usage.peakRssMb.api!),
        rssMbByProcess: usage.peakRssMb,
        reportsSent: simSummary.reports,
        reportsStored: stored,
        rejectedByApi: simSummary.rejected,
        drainedSecondsAfterSimulator: drained === undefined ? null : Math.round((drained - simEnded) / 100) / 10,
        loadAverage: { before: loadBefore.map((l) => Math.round(l * 100) / 100), after: loadAfter.map((l) => Math.round(l * 100) / 100) },
        seconds,
      };
    } finally {
      if (sim && sim.exitCode === null) sim.kill('SIGTERM');
      await Promise.all(children.map((c) => stopChild(c)));
      await redis.del(streamKey).catch(() => undefined);
      redis.disconnect();
      await db.destroy();
    }
  },
};

/** No alert measured: null rather than NaN. */
const orNull = (n: number): number | null => (Number.isFinite(n) ? n : null);

/** The time at which every group had read and acknowledged everything, or undefined on time-out. */
async function waitDrained(redis: Redis, streamKey: string, groups: string[], timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = (await redis.xinfo('GROUPS', streamKey)) as unknown[][];
    const byName = new Map(info.map((x) => {
      const o = Object.fromEntries(Array.from({ length: x.length / 2 }, (_, i) => [String(x[2 * i]), x[2 * i + 1]]));
      return [String(o.name), o];
    }));
    if (groups.every((g) => Number(byName.get(g)?.lag ?? 1) === 0 && Number(byName.get(g)?.pending ?? 1) === 0)) return Date.now();
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}
