import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { createTransport } from '../../pipelines/create-transport';
import { DiscardSink } from '../../pipelines/simulator/discard-sink';
import { defaultMix, parseMix } from '../../pipelines/simulator/fleet-mix';
import { runFleet, type RunProgress } from '../../pipelines/simulator/fleet-runner';
import { HttpSink } from '../../pipelines/simulator/http-sink';
import type { ReportSink } from '../../pipelines/simulator/report-sink';
import { createSimulation, type Simulation } from '../../pipelines/simulator/simulation';
import { TransportSink } from '../../pipelines/simulator/transport-sink';

interface SimulateOptions {
  devices: number;
  rate: number;
  seconds: number;
  seed: number;
  mix: string;
  via: 'transport' | 'http' | 'none';
  apiUrl?: string;
  apiKey?: string;
  tenant: string;
  truth?: string;
  fast?: boolean;
  start?: number;
  faultRate: number;
  flightCompression?: number;
  batch: number;
}

const number = (min: number, integer = false) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} ≥ ${min}`);
  }
  return n;
};

const time = (value: string) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('expected an RFC 3339 time such as 2026-03-02T08:00:00Z');
  return ms;
};

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate a fleet (trucks and containers, parcel sorters, drones, the real 2001 flights replayed) and send its reports; --truth writes what it planted')
    .addOption(new Option('--devices <n>', 'periodically reporting devices (flights come from airport gateways on top)').argParser(number(0, true)).default(1000))
    .addOption(new Option('--rate <n>', 'reports per second, all kinds together').argParser(number(0.001)).default(1000))
    .addOption(new Option('--seconds <n>', 'length of the run in event time').argParser(number(0.001)).default(60))
    .addOption(new Option('--seed <n>', 'same seed, same reports and truth').argParser(number(0, true)).default(1))
    .option('--mix <shares>', 'share of the reports per kind', 'trucks=0.6,sorters=0.1,drones=0.1,flights=0.2')
    .addOption(new Option('--via <sink>', 'send through the configured transport, POST /v1/reports, or nowhere (measures generation)').choices(['transport', 'http', 'none']).default('transport'))
    .option('--api-url <url>', 'API base URL for --via http (default http://HTTP_HOST:HTTP_PORT)')
    .option('--api-key <key>', 'API key with the ingest scope for --via http (default FLOWCAST_API_KEY)')
    .option('--tenant <tenant>', 'tenant of the published reports for --via transport', 'sim')
    .option('--truth <file>', 'write the ground truth (planted conditions) as JSON to FILE')
    .option('--fast', 'send as fast as possible instead of in real time')
    .addOption(new Option('--start <time>', 'event time of the start (default now); with --fast and --seed the run is reproducible').argParser(time))
    .addOption(new Option('--fault-rate <p>', 'probability that a device gets a planted fault during the run').argParser(number(0)).default(0.02))
    .addOption(new Option('--flight-compression <x>', 'data time per event time of the flight replay (default: what fills the flights share of the rate)').argParser(number(1e-6)))
    .addOption(new Option('--batch <n>', 'reports per send').argParser(number(1, true)).default(1000))
    .action(async (opts: SimulateOptions) => {
      const config = loadConfig();
      const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, name: 'simulate' });
      const setupStarted = Date.now();
      const sim = await createSimulation({
        devices: opts.devices, rate: opts.rate, seconds: opts.seconds, seed: opts.seed, mix: opts.mix ? parseMix(opts.mix) : defaultMix,
        startMs: opts.start ?? Date.now(), faultRate: opts.faultRate, flightCompression: opts.flightCompression,
      });
      const setupMs = Date.now() - setupStarted;
      const sink = createSink(opts, config, logger);
      let stop = false;
      const onSignal = () => (stop = true);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        describe(sim, opts, sink, setupMs);
        const result = await runFleet(sim, sink, {
          realTime: !opts.fast, batchSize: opts.batch, onProgress: (p) => progressLine(sim, p), shouldStop: () => stop,
        });
        const truth = sim.groundTruth();
        if (opts.truth) writeFileSync(opts.truth, `${JSON.stringify(truth, null, 1)}\n`);
        process.stdout.write(
          `${JSON.stringify({
            via: sink.name, devices: opts.devices, devicesByKind: sim.plan.counts, intervalMs: sim.plan.intervalMs, rate: opts.rate,
            seconds: opts.seconds, start: truth.start, end: truth.end, reports: result.sent, byKind: result.byKind,
            silentTicks: result.silentTicks, rejected: result.rejected, wallSeconds: result.wallMs / 1000, reportsPerSec: result.reportsPerSec,
            setupMs, stoppedEarly: result.stoppedEarly, flightCompression: sim.flightCompression, planted: truth.counts, truthFile: opts.truth,
          })}\n`,
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        sim.close();
        await sink.close();
      }
    });
}

function createSink(opts: SimulateOptions, config: ReturnType<typeof loadConfig>, logger: ReturnType<typeof createLogger>): ReportSink {
  if (opts.via === 'none') return new DiscardSink();
  if (opts.via === 'http') {
    const apiKey = opts.apiKey ?? process.env.FLOWCAST_API_KEY;
    if (!apiKey) throw new InvalidArgumentError('--via http needs --api-key (or FLOWCAST_API_KEY): create one with `flowcast keys create`');
    return new HttpSink({ apiUrl: opts.apiUrl ?? `http://${config.HTTP_HOST}:${config.HTTP_PORT}`, apiKey, maxPerRequest: config.HTTP_MAX_REPORTS });
  }
  return new TransportSink(createTransport({ config, logger }), opts.tenant);
}

function describe(sim: Simulation, opts: SimulateOptions, sink: ReportSink, setupMs: number): void {
  const c = sim.plan.counts;
  process.stderr.write(
    `simulate: ${c.trucks} trucks and containers, ${c.sorters} sorters, ${c.drones} drones, each reporting every ${sim.plan.intervalMs} ms` +
      `${sim.flightCompression ? `; flights replayed ${Math.round(sim.flightCompression)}× faster than in 2001` : ''}` +
      ` — ${opts.rate} reports/s for ${opts.seconds} s ${opts.fast ? 'as fast as possible' : 'in real time'} to ${sink.name} (set up in ${setupMs} ms)\n`,
  );
}

function progressLine(sim: Simulation, p: RunProgress): void {
  const eventSeconds = ((p.eventTs - sim.startMs) / 1000).toFixed(1);
  process.stderr.write(`simulate: ${(p.wallMs / 1000).toFixed(1)} s — ${p.sent} sent, event time +${eventSeconds} s, ${Math.round(p.recentRate)} reports/s\n`);
}
