import { readFileSync } from 'node:fs';

/**
 * The load generator of the api benchmark, run as its own process (`node dist/bench/api-load.js
 * PLAN.json`): autocannon driven programmatically, each request taking the next body of the plan
 * in turn (across all connections), so the API sees many different legs, not one cached body.
 * Prints autocannon's summary as JSON on stdout.
 */
export interface LoadPlan {
  url: string;
  seconds: number;
  connections: number;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  /** Bodies sent in turn; absent for GET. */
  bodies?: string[];
}

export interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  duration: number;
}

type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: LoadResult) => void) => unknown;

export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const autocannon = require('autocannon') as Autocannon;
  const bodies = plan.bodies ?? [];
  let next = 0;
  const request = bodies.length > 0
    ? { method: plan.method, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies[next++ % bodies.length] }) }
    : { method: plan.method };
  return new Promise((resolve, reject) => {
    autocannon({ url: plan.url, duration: plan.seconds, connections: plan.connections, headers: plan.headers, requests: [request] }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

if (require.main === module) {
  const plan = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as LoadPlan;
  runLoad(plan).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
