import { spawn } from 'node:child_process';
import path from 'node:path';
import { createDb } from '../core/db';
import { migrateToLatest } from '../core/migrate';
import { createApiKey } from '../core/store/create-api-key';
import { upsertShipmentLegs } from '../features/store/upsert-shipment-legs';
import { startFlowcast, stopChild } from './child-process';
import { freshDatabase } from './fresh-database';
import type { Benchmark, BenchmarkOptions } from './run';

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

/** Runs autocannon as a second process against `url` and returns its JSON summary. */
function autocannon(url: string, seconds: number, connections: number, method: string, headers: Record<string, string>, body?: string): Promise<AutocannonResult> {
  const bin = path.join(__dirname, '..', '..', 'node_modules', 'autocannon', 'autocannon.js');
  const args = [bin, '-j', '-d', String(seconds), '-c', String(connections), '-m', method, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), ...(body ? ['-b', body] : []), url];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as AutocannonResult) : reject(new Error(`autocannon exited with ${code}`)))));
}

/**
 * `flowcast api` as its own process, autocannon as another, on loopback. Single-leg
 * `POST /v1/predictions/delay` when a champion model exists; without one that endpoint can only
 * answer 503, so the benchmark says so and measures `GET /v1/shipments/:id` instead.
 */
export const benchmark: Benchmark = {
  name: 'api',
  description: 'flowcast api under autocannon (second process, loopback): single-leg delay predictions',
  async run(options: BenchmarkOptions) {
    const seconds = options.seconds ?? 15;
    const connections = Number(options.connections ?? 20);
    const databaseUrl = process.env.DATABASE_URL;
    const redisUrl = process.env.REDIS_URL;
    if (!databaseUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL must be set: run it as `npm run bench -- api`');
    // A champion lives in the registry of the database given; the benchmark reads it as it is.
    const useGiven = options.database === 'given';
    const dbUrl = useGiven ? databaseUrl : await freshDatabase(databaseUrl, 'flowcast_bench_api');
    const db = createDb({ url: dbUrl, poolMax: 2 });
    await migrateToLatest(db);
    const { key } = await createApiKey(db, { tenant: 'bench', scopes: ['read', 'predict'] });
    const now = Date.now();
    await upsertShipmentLegs(db, 'bench', [{ shipmentId: 'S1', seq: 0, mode: 'air', from: 'ORD', to: 'JFK', plannedDeparture: now, plannedArrival: now + 2 * 3_600_000 }]);
    const port = String(19_000 + Math.floor(Math.random() * 1000));
    const api = await startFlowcast(['api'], { DATABASE_URL: dbUrl, REDIS_URL: redisUrl, HTTP_PORT: port, HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info' }, /API listening/);
    const base = `http://127.0.0.1:${port}`;
    const leg = JSON.stringify({ from: 'ORD', to: 'JFK', mode: 'air', plannedDeparture: new Date(now).toISOString(), plannedArrival: new Date(now + 7_200_000).toISOString() });
    const probe = await fetch(`${base}/v1/predictions/delay`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: leg });
    const modelAvailable = probe.status === 200;
    await probe.arrayBuffer();
    const headers = { 'x-api-key': key, 'content-type': 'application/json' };
    const r = modelAvailable
      ? await autocannon(`${base}/v1/predictions/delay`, seconds, connections, 'POST', headers, leg)
      : await autocannon(`${base}/v1/shipments/S1`, seconds, connections, 'GET', headers);
    await stopChild(api);
    await db.destroy();
    return {
      endpoint: modelAvailable ? 'POST /v1/predictions/delay (single leg)' : 'GET /v1/shipments/:id (no champion model: predictions answer 503)',
      modelAvailable,
      reqPerSec: Math.round(r.requests.average),
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      errors: r.errors + r.timeouts + r.non2xx,
      connections,
    };
  },
};
