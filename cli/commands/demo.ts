import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createApiKey } from '../../core/store/create-api-key';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import type { ShipmentLeg } from '../../features/shipment-leg';
import { championOf } from '../../models/registry/model-registry';
import { createContext, type CliContext } from '../context';

/** The last line of stdout with DEMO_SECONDS: what this run did (null where it is not known). */
export interface DemoSummary {
  reports: number | null;
  deadLetters: number | null;
  predictions: number | null;
  alerts: number | null;
  modelVersion: string | null;
  auc: number | null;
}

interface DemoOptions {
  seconds?: string;
  devices: string;
  rate: string;
  train: boolean;
  trainSample: string;
  epochs: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const say = (line: string) => process.stderr.write(`demo: ${line}\n`);

/** A `flowcast` command run as a child process; its logs go to our stderr, its stdout is kept. */
interface Proc {
  name: string;
  child: ChildProcess;
  stdout: string;
  exited: Promise<number | null>;
}

function flowcast(name: string, args: string[], env: NodeJS.ProcessEnv, forwardLogs = true): Proc {
  const cli = require.main?.filename ?? process.argv[1]!;
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { name, child, stdout: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (d: Buffer) => (proc.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    if (forwardLogs) process.stderr.write(d);
  });
  return proc;
}

/** Resolves true once `pattern` shows in the child's logs, false if it exits or the time runs out first. */
function waitForLog(proc: Proc, pattern: RegExp, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = '';
    const timer = setTimeout(() => resolve(false), timeoutMs);
    proc.child.stderr!.on('data', (d: Buffer) => {
      seen = (seen + d.toString()).slice(-20_000);
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    void proc.exited.then(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

async function stopProc(proc: Proc, graceMs = 15_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

async function waitUntilReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms`);
}

/** Counts of what this run stored for the demo tenant since it started; null for a table that cannot be read. */
async function summarise({ db }: CliContext, tenant: string, since: Date, model: { version: string | null; auc: number | null }): Promise<DemoSummary> {
  const count = async (table: string, timeColumn: string): Promise<number | null> => {
    try {
      const row = await db(table).where({ tenant }).andWhere(timeColumn, '>=', since).count<{ n: string }[]>('* as n');
      return Number(row[0]?.n ?? 0);
    } catch {
      return null;
    }
  };
  return {
    reports: await count('reports', 'received_at'),
    deadLetters: await count('dead_letters', 'received_at'),
    predictions: await count('predictions', 'predicted_at'),
    alerts: await count('alerts', 'opened_at'),
    modelVersion: model.version,
    auc: model.auc,
  };
}

/**
 * Books the simulated trucks' shipments as a transport management system would: each leg from
 * the plan a `departed` report carries in its detail, so the scorer knows the leg and predicts
 * its delay from the next position report on. Returns how many legs were booked.
 */
async function bookDepartedLegs({ db }: CliContext, tenant: string, since: Date): Promise<number> {
  const rows = (await db('reports').where({ tenant, event_code: 'departed' }).andWhere('received_at', '>=', since).whereNotNull('shipment_id')
    .select('shipment_id', 'body')) as { shipment_id: string; body: { event?: { detail?: string } } }[];
  const legs: ShipmentLeg[] = [];
  for (const r of rows) {
    try {
      const plan = JSON.parse(r.body.event?.detail ?? '') as { mode: ShipmentLeg['mode']; from: string; to: string; plannedDeparture: string; plannedArrival: string };
      legs.push({ shipmentId: r.shipment_id, seq: 0, mode: plan.mode, from: plan.from, to: plan.to, plannedDeparture: Date.parse(plan.plannedDeparture), plannedArrival: Date.parse(plan.plannedArrival) });
    } catch {
      // a departed event without a plan: nothing to book
    }
  }
  await upsertShipmentLegs(db, tenant, legs);
  return legs.length;
}

/** Posts one report that fails validation (latitude 91), to show where bad input goes. */
async function postBrokenReport(base: string, key: string, n: number): Promise<void> {
  const line = JSON.stringify({ id: `demo-broken-${Date.now()}-${n}`, deviceId: 'truck-demo', ts: new Date().toISOString(), location: { lat: 91, lon: 4.9 } });
  const res = await fetch(`${base}/v1/reports`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/x-ndjson' }, body: line });
  // A lone bad report is answered 400 with its rejection listed, after it is dead-lettered; any other status means it was not stored.
  if (res.status !== 400) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

function lastJsonLine(text: string): Record<string, unknown> | undefined {
  const line = text.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run Flowcast end to end: ingest, scoring, the retrain worker and the API, with the fleet simulator posting reports over HTTP')
    .option('--seconds <n>', 'stop after N seconds and print a JSON summary as the last line (default: DEMO_SECONDS, or run until interrupted)')
    .option('--devices <n>', 'simulated devices (trucks, containers, sorters, drones; flights on top)', '2000')
    .option('--rate <n>', 'reports per second the simulator posts to the API', '200')
    .option('--no-train', 'do not import a sample of the flights and train the delay model when no champion exists')
    .option('--train-sample <n>', 'flights imported and trained on when no champion exists', '100000')
    .option('--epochs <n>', 'most epochs of that training', '8')
    .action(async (opts: DemoOptions) => {
      const ctx = createContext('demo');
      const { config, db } = ctx;
      const seconds = Number(opts.seconds ?? process.env.DEMO_SECONDS ?? 0);
      const deadline = seconds > 0 ? Date.now() + seconds * 1000 : Infinity;
      const tenant = 'demo';
      const since = new Date(Date.now() - 1000);
      const base = `http://${config.HTTP_HOST}:${config.HTTP_PORT}`;
      const known = new Set(program.commands.map((c) => c.name()));
      // Every long-running child picks a free metrics port (they would all want METRICS_PORT otherwise).
      // The demo knows a role is up from its info-level "started" line, so children log at info at least.
      const env: NodeJS.ProcessEnv = { ...process.env, METRICS_PORT: '0', LOG_LEVEL: ['debug', 'trace'].includes(config.LOG_LEVEL) ? config.LOG_LEVEL : 'info' };
      const key = await createApiKey(db, { tenant, scopes: ['ingest', 'read', 'predict', 'admin'], name: 'demo' });

      let stopping = false;
      const stop = () => (stopping = true);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const running: Proc[] = [];

      // The delay model: the registered champion if there is one, else (optionally) a small import and training in the background.
      const model: { version: string | null; auc: number | null } = { version: null, auc: null };
      const champion = await championOf(db, 'delay').catch(() => undefined);
      let training: Promise<void> = Promise.resolve();
      let trainingStarted = false;
      const useChampion = (v: { version: number; metrics: Record<string, unknown> }) => {
        model.version = `delay v${v.version}`;
        model.auc = typeof v.metrics.auc === 'number' ? v.metrics.auc : null;
      };
      if (champion) {
        useChampion(champion);
        say(`delay model: champion ${model.version} (test AUC ${model.auc?.toFixed(3) ?? 'unknown'}) — the scoring consumer and the API load it`);
      } else if (!opts.train) {
        say('delay model: no champion registered and --no-train given — skipped; alerts come from the rules only, predictions stay empty');
      } else if (!known.has('import') || !known.has('train') || !known.has('models')) {
        say('delay model: no champion registered and no import/train commands in this build — skipped');
      }

      const startRole = async (name: string, args: string[], ready: RegExp, required: boolean): Promise<Proc | undefined> => {
        if (!known.has(args[0]!)) {
          say(`${name}: \`flowcast ${args[0]}\` is not in this build — skipped`);
          return undefined;
        }
        const proc = flowcast(name, args, env);
        running.push(proc);
        if (await waitForLog(proc, ready, 60_000)) {
          void proc.exited.then((code) => {
            if (!stopping) say(`${name} exited (code ${code}) — the demo keeps running without it`);
          });
          return proc;
        }
        const message = `${name} did not start (${proc.child.exitCode === null ? 'no ready line within 60 s' : `exit code ${proc.child.exitCode}`})`;
        await stopProc(proc, 2000);
        if (required) throw new Error(message);
        say(`${message} — skipped`);
        return undefined;
      };

      let summary: DemoSummary | undefined;
      try {
        await startRole('ingest', ['ingest'], /ingest consumer started/, true);
        await startRole('scoring', ['score'], /scoring consumer started/, false);
        // The worker trains retrain jobs; its schedules and drift checks stay off in the demo to leave the 2 cores to the pipeline.
        await startRole('worker', ['worker', '--no-triggers'], /retrain worker started/, false);
        await startRole('api', ['api'], /API listening/, true);
        await waitUntilReady(`${base}/readyz`);
        // The demo keeps every prediction (the default stores a 5 % sample and those that change an alert), so a short run shows them.
        const rules = await fetch(`${base}/v1/alert-rules`, {
          method: 'PUT', headers: { 'x-api-key': key.key, 'content-type': 'application/json' }, body: JSON.stringify({ predictionSampleRate: 1 }),
        }).catch((err: unknown) => ({ ok: false, status: String(err) }));
        if (!rules.ok) say(`could not set the demo tenant's prediction sample rate (${rules.status}) — the default 5 % sample is kept`);

        if (!champion && opts.train && known.has('import') && known.has('train') && known.has('models')) {
          trainingStarted = true;
          training = trainInBackground(env, Number(opts.trainSample), Number(opts.epochs), running, () => stopping).then((v) => {
            if (v) {
              useChampion(v);
              say(`delay model: trained and promoted ${model.version} (test AUC ${model.auc?.toFixed(3) ?? 'unknown'}) — scoring picks it up`);
            }
          });
        }

        process.stdout.write(
          [
            '',
            'Flowcast demo is running.',
            `  API:        ${base}  (docs ${base}/docs, health ${base}/healthz, metrics ${base}/metrics)`,
            `  API key:    ${key.key}   (tenant "${tenant}", all scopes)`,
            `  alerts:     curl -N -H 'x-api-key: ${key.key}' ${base}/v1/alerts/stream`,
            `  list:       curl -s -H 'x-api-key: ${key.key}' '${base}/v1/alerts?state=open'`,
            `  post:       curl -s -H 'x-api-key: ${key.key}' -H 'content-type: application/json' \\`,
            `                -d '{"id":"r1","deviceId":"truck-1","ts":"${new Date().toISOString()}","location":{"lat":52.37,"lon":4.9}}' ${base}/v1/reports`,
            `  load:       flowcast simulate --via http, ${opts.devices} devices, ${opts.rate} reports/s`,
            seconds > 0 ? `  stopping by itself after ${seconds} s` : '  Ctrl-C to stop',
            '',
          ].join('\n'),
        );

        // The simulator in a process of its own, posting over HTTP with the demo key; a run of an hour at most, started again with the next seed.
        const truthDir = mkdtempSync(path.join(os.tmpdir(), 'flowcast-demo-'));
        let sim: Proc | undefined;
        let seed = 1;
        let simFailures = 0;
        let lastStatus = Date.now();
        let broken = 0;
        let booked = 0;
        let bookedSince = since;
        // One at the start, so even the shortest run shows a dead letter; then one per status line.
        await postBrokenReport(base, key.key, broken++).catch((err: Error) => say(`posting the broken report failed: ${err.message}`));
        while (!stopping && Date.now() < deadline) {
          if (!sim || sim.child.exitCode !== null || sim.child.signalCode !== null) {
            if (sim && sim.child.exitCode !== 0) simFailures++;
            if (simFailures >= 3) {
              say('the simulator failed three times — no more load; the services keep running');
            } else {
              const runSeconds = Number.isFinite(deadline) ? Math.max(1, Math.ceil((deadline - Date.now()) / 1000)) : 3600;
              sim = flowcast('simulate', [
                'simulate', '--via', 'http', '--api-url', base, '--api-key', key.key, '--devices', opts.devices, '--rate', opts.rate,
                '--seconds', String(runSeconds), '--seed', String(seed++), '--fault-rate', '0.05', '--batch', '200',
                '--truth', path.join(truthDir, `truth-${seed - 1}.json`),
              ], env, false);
              running.push(sim);
            }
          }
          if (Date.now() - lastStatus >= 5000) {
            lastStatus = Date.now();
            await postBrokenReport(base, key.key, broken++).catch((err: Error) => say(`posting the broken report failed: ${err.message}`));
            const bookedNow = await bookDepartedLegs(ctx, tenant, bookedSince).catch(() => 0);
            bookedSince = new Date(lastStatus - 1000);
            booked += bookedNow;
            const s = await summarise(ctx, tenant, since, model);
            say(`reports ${s.reports}, dead letters ${s.deadLetters}, shipment legs booked ${booked}, predictions ${s.predictions}, alerts ${s.alerts}, model ${s.modelVersion ?? 'none yet'}`);
          }
          await sleep(250);
        }
        if (sim) {
          await stopProc(sim);
          const simSummary = lastJsonLine(sim.stdout);
          if (simSummary) say(`simulator: ${simSummary.reports as number} reports sent, ${simSummary.rejected as number} rejected by the API`);
        }
        if (stopping) say('interrupted — stopping');
        // Training that has not finished is stopped: the summary says no model rather than waiting.
        await Promise.race([training, sleep(500)]);
        if (trainingStarted && !model.version) {
          say('delay model: the background import + training had not finished when the demo stopped — modelVersion and auc are null; the import is kept (resumable), so a longer run (or `make demo` without DEMO_SECONDS) registers the model and later demos load it');
        }
        // Let the consumers catch up with what was accepted before counting.
        await sleep(2000);
      } finally {
        stopping = true;
        for (const proc of running.reverse()) await stopProc(proc).catch(() => undefined);
        summary = await summarise(ctx, tenant, since, model).catch(() => undefined);
        await db.destroy();
        if (summary?.predictions === 0) {
          say(model.version
            ? 'predictions 0: the scorer predicts for booked legs still under way; in a short run few simulated trucks depart (their departures book the legs) — run longer to see them'
            : 'predictions 0: no delay model was available in this run');
        }
      }
      process.stdout.write(`${JSON.stringify(summary ?? { reports: null, deadLetters: null, predictions: null, alerts: null, modelVersion: model.version, auc: model.auc })}\n`);
    });
}

/**
 * The fast path to a delay model on this machine: the first N of the real 2001 flights imported
 * (resumable, so a second demo reuses them), trained on for a few epochs, promoted. Returns the
 * promoted version, or undefined (with a printed reason) when any step fails or the demo stops first.
 */
async function trainInBackground(env: NodeJS.ProcessEnv, sample: number, epochs: number, running: Proc[], stopped: () => boolean) {
  const step = async (name: string, args: string[]): Promise<string | undefined> => {
    if (stopped()) return undefined;
    const proc = flowcast(name, args, { ...env, LOG_LEVEL: 'warn' }, false);
    running.push(proc);
    const code = await proc.exited;
    if (code !== 0) {
      if (!stopped()) say(`delay model: \`flowcast ${args.join(' ')}\` failed (exit ${code}) — skipped; alerts come from the rules only`);
      return undefined;
    }
    return proc.stdout;
  };
  const started = Date.now();
  say(`delay model: no champion registered — importing ${sample} real flights and training (${epochs} epochs) in the background (about 2 min on 2 busy cores; the demo runs meanwhile)`);
  if ((await step('import', ['import', 'flights', '--limit', String(sample)])) === undefined) return undefined;
  const trained = await step('train', ['train', 'delay', '--sample', String(sample), '--epochs', String(epochs), '--no-ablation', '--json']);
  const registered = trained === undefined ? undefined : (lastJsonLine(trained) as { version?: { version: number; metrics: Record<string, unknown> } } | undefined);
  if (!registered?.version) return undefined;
  const v = registered.version;
  if ((await step('promote', ['models', 'promote', 'delay', String(v.version), '--reason', 'demo: first model on a sample of the flights'])) === undefined) return undefined;
  say(`delay model: import + training + promotion took ${Math.round((Date.now() - started) / 1000)} s`);
  return v;
}
