import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { createDb, type Db } from '../core/db';
import { createLogger } from '../core/logger';
import { migrateToLatest } from '../core/migrate';
import { createApiKey } from '../core/store/create-api-key';
import { championOf } from '../models/registry/model-registry';
import { predictDelayAnswer } from '../serving/api-schemas';
import type { LoadPlan, LoadResult } from './api-load';
import { benchChampion } from './bench-champion';
import { startFlowcast, stopChild } from './child-process';
import { replayLiveFlightTraffic, spreadOverLanes } from './live-flight-traffic';
import type { Benchmark, BenchmarkOptions } from './run';

const tenant = 'bench-api';

/** Runs bench/api-load.ts as a second process and returns autocannon's summary. */
function load(plan: LoadPlan): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flowcast-bench-api-'));
  const file = path.join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  const child = spawn(process.execPath, [path.join(__dirname, 'api-load.js'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise<LoadResult>((resolve, reject) => child.on('exit', (code) => {
    rmSync(dir, { recursive: true, force: true });
    if (code === 0) resolve(JSON.parse(out) as LoadResult);
    else reject(new Error(`api-load exited with ${code}`));
  }));
}

/** A benchmark run in the main database must not count the previous run's replayed traffic twice. */
async function clearTenant(db: Db): Promise<void> {
  for (const table of ['feature_entity_tiles', 'feature_watermarks', 'shipment_legs', 'shipments']) await db(table).where({ tenant }).delete();
}

/**
 * `npm run bench -- api [--seconds 15] [--connections 20] [--legs 400] [--workers N] [--database given]`:
 * `flowcast api` as its own process and autocannon in another, on loopback: single-leg
 * `POST /v1/predictions/delay` against the registry's champion, with live rolling features
 * (two days of the real 2001 flights replayed to end now) and a few hundred different legs
 * (distinct lanes, upcoming planned times) sent in turn.
 */
export const benchmark: Benchmark = {
  name: 'api',
  description: 'flowcast api under autocannon (second process, loopback): single-leg delay predictions over many real lanes',
  async run(options: BenchmarkOptions) {
    const seconds = options.seconds ?? 15;
    const connections = Number(options.connections ?? 20);
    const legCount = Number(options.legs ?? 400);
    const databaseUrl = process.env.DATABASE_URL;
    const redisUrl = process.env.REDIS_URL;
    if (!databaseUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL must be set: run it as `npm run bench -- api`');
    // By default a fresh copy of the bench model template (a champion trained on 100,000 real
    // flights, bench/bench-champion.ts); `--database given` uses DATABASE_URL's registry as it is.
    const dbUrl = options.database === 'given' ? databaseUrl : (await benchChampion(databaseUrl, 'flowcast_bench_api')).databaseUrl;
    const config = loadConfig({ ...process.env, DATABASE_URL: dbUrl });
    const logger = createLogger({ name: 'bench-api', level: 'warn' });
    const db = createDb({ url: dbUrl, poolMax: 2 });
    try {
      await migrateToLatest(db);
      const champion = await championOf(db, 'delay');
      if (!champion) throw new Error('no champion delay model in the registry of the database given: train and promote one first, or leave out --database given');
      await clearTenant(db);
      const started = Date.now();
      const traffic = await replayLiveFlightTraffic({ db, logger, tenant, allowedLatenessMs: config.FEATURE_ALLOWED_LATENESS_MS });
      const legs = spreadOverLanes(traffic.legs, Date.now(), legCount);
      const setupSeconds = (Date.now() - started) / 1000;
      const { key } = await createApiKey(db, { tenant, scopes: ['read', 'predict'] });
      const bodies = legs.map((l) => JSON.stringify({
        from: l.from, to: l.to, mode: l.mode, plannedDeparture: new Date(l.plannedDeparture).toISOString(), plannedArrival: new Date(l.plannedArrival).toISOString(),
      }));
      const port = String(19_000 + Math.floor(Math.random() * 1000));
      const env: Record<string, string> = {
        DATABASE_URL: dbUrl, REDIS_URL: redisUrl, HTTP_PORT: port, HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info',
        // One routing system's key; its budget must not be what the benchmark measures.
        API_RATE_LIMIT: String(10_000_000),
      };
      // As a deployment serving predictions runs it: one API process per CPU (API_WORKERS=auto).
      env.API_WORKERS = String(options.workers ?? process.env.API_WORKERS ?? 'auto');
      const api = await startFlowcast(['api'], env, /API listening/);
      try {
        const url = `http://127.0.0.1:${port}/v1/predictions/delay`;
        const headers = { 'x-api-key': key, 'content-type': 'application/json' };
        const probe = await checkAnswers(url, headers, bodies);
        const r = await load({ url, seconds, connections, method: 'POST', headers, bodies });
        return {
          endpoint: 'POST /v1/predictions/delay (single leg)',
          modelVersion: probe.modelVersion,
          legs: bodies.length,
          lanes: new Set(legs.map((l) => `${l.from}>${l.to}`)).size,
          hubs: new Set(legs.flatMap((l) => [l.from, l.to])).size,
          replayedEvents: traffic.events,
          knownFeatureShare: probe.knownFeatureShare,
          reqPerSec: Math.round(r.requests.average),
          p50Ms: r.latency.p50,
          p90Ms: r.latency.p90,
          p99Ms: r.latency.p99,
          errors: r.errors + r.timeouts + r.non2xx,
          statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count])),
          connections,
          apiWorkers: env.API_WORKERS,
          setupSeconds,
          loadAvg: os.loadavg().map((l) => Math.round(l * 100) / 100),
        };
      } finally {
        await stopChild(api);
      }
    } finally {
      await db.destroy();
    }
  },
};

/**
 * Asks for a few legs one at a time before the load and checks each answer's shape, so a run
 * that measured errors or empty features says so: the share of feature values that are known.
 */
async function checkAnswers(url: string, headers: Record<string, string>, bodies: string[]): Promise<{ modelVersion: string; knownFeatureShare: number }> {
  let known = 0;
  let total = 0;
  let modelVersion = '';
  for (const body of bodies.slice(0, 50)) {
    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST /v1/predictions/delay answered ${res.status}: ${text}`);
    const answer = predictDelayAnswer.parse(JSON.parse(text));
    modelVersion = answer.model.version;
    for (const f of Object.values(answer.predictions[0]?.features ?? {})) {
      total++;
      if (f.value !== null) known++;
    }
  }
  return { modelVersion, knownFeatureShare: total === 0 ? 0 : Math.round((known / total) * 1000) / 1000 };
}
