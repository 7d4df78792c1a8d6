import type { Command } from 'commander';
import { createApiKey } from '../../core/store/create-api-key';
import { sampleReports } from '../../pipelines/sample-reports';
import { createContext, type CliContext } from '../context';
import { startChild, type Child } from '../start-child';

interface DemoSummary {
  reports: number;
  deadLetters: number;
  devices: number;
  posted: number;
  rejectedByApi: number;
}

/** Every hundredth report is broken on purpose, to show where bad input goes. */
function breakSome(line: string, i: number): string {
  return i % 100 === 99 ? line.replace(/"lat":[-\d.]+/, '"lat":91') : line;
}

async function waitUntilReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms`);
}

async function summarise({ db }: CliContext, posted: number, rejectedByApi: number): Promise<DemoSummary> {
  const count = async (table: string) => Number((await db(table).count<{ n: number }[]>('* as n'))[0]?.n ?? 0);
  return { reports: await count('reports'), deadLetters: await count('dead_letters'), devices: await count('devices'), posted, rejectedByApi };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run Flowcast end to end: ingest consumer and API, with simulated trackers posting reports')
    .option('--seconds <n>', 'stop after N seconds (default: DEMO_SECONDS, or run until interrupted)')
    .option('--devices <n>', 'simulated trackers', '1000')
    .option('--rate <n>', 'reports per second posted to the API', '500')
    .action(async (opts: { seconds?: string; devices: string; rate: string }) => {
      const ctx = createContext('demo');
      const { config, logger, db } = ctx;
      const seconds = Number(opts.seconds ?? process.env.DEMO_SECONDS ?? 0);
      const rate = Number(opts.rate);
      const key = await createApiKey(db, { tenant: 'demo', scopes: ['ingest', 'read', 'predict', 'admin'], name: 'demo' });
      const children: Child[] = [startChild('ingest', ['ingest'], logger), startChild('api', ['api'], logger)];
      const base = `http://${config.HTTP_HOST}:${config.HTTP_PORT}`;
      await waitUntilReady(`${base}/readyz`);
      process.stdout.write(
        [
          '',
          'Flowcast demo is running.',
          `  API:        ${base}  (health ${base}/healthz, metrics ${base}/metrics)`,
          `  API key:    ${key.key}   (tenant "demo", all scopes)`,
          `  try:        curl -s -H 'x-api-key: ${key.key}' -H 'content-type: application/json' \\`,
          `                -d '{"id":"r1","deviceId":"truck-1","ts":"${new Date().toISOString()}","location":{"lat":52.37,"lon":4.9}}' ${base}/v1/reports`,
          seconds > 0 ? `  stopping by itself after ${seconds} s` : '  Ctrl-C to stop',
          '',
        ].join('\n'),
      );

      let stopping = false;
      const stop = () => (stopping = true);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const reports = sampleReports({ devices: Number(opts.devices), startMs: Date.now(), intervalSeconds: 60, seed: 2026 });
      const started = Date.now();
      let posted = 0;
      let rejectedByApi = 0;
      let lastLog = started;
      while (!stopping && (seconds === 0 || Date.now() - started < seconds * 1000)) {
        const tickStart = Date.now();
        const lines = Array.from({ length: Math.max(1, Math.round(rate / 4)) }, () => breakSome(JSON.stringify(reports.next().value), posted++));
        const res = await fetch(`${base}/v1/reports`, {
          method: 'POST',
          headers: { 'x-api-key': key.key, 'content-type': 'application/x-ndjson' },
          body: lines.join('\n'),
        });
        const body = (await res.json()) as { rejected?: unknown[] };
        rejectedByApi += body.rejected?.length ?? 0;
        if (Date.now() - lastLog >= 5000) {
          lastLog = Date.now();
          const s = await summarise(ctx, posted, rejectedByApi);
          process.stderr.write(`demo: ${Math.round((lastLog - started) / 1000)} s — posted ${s.posted}, stored ${s.reports}, dead letters ${s.deadLetters}\n`);
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 250 - (Date.now() - tickStart))));
      }
      // Let the consumer commit what was accepted before counting.
      await new Promise((r) => setTimeout(r, 1000));
      for (const child of children) await child.stop();
      const summary = await summarise(ctx, posted, rejectedByApi);
      await db.destroy();
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}
