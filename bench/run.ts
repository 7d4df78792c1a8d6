import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';

/**
 * `npm run bench -- NAME [options]`: runs bench/NAME.ts, prints a table and writes
 * bench/results/NAME.json with the figures and the conditions they were measured in.
 */
export interface BenchmarkOptions {
  seconds?: number;
  [option: string]: unknown;
}

export interface Benchmark {
  name: string;
  description: string;
  /** Returns the figures; the runner adds the machine and the date. */
  run(options: BenchmarkOptions): Promise<Record<string, unknown>>;
}

const benchmarks: Record<string, () => Benchmark> = {
  ingest: () => (require('./ingest') as { benchmark: Benchmark }).benchmark,
  api: () => (require('./api') as { benchmark: Benchmark }).benchmark,
  scoring: () => (require('./scoring') as { benchmark: Benchmark }).benchmark,
  training: () => (require('./training') as { benchmark: Benchmark }).benchmark,
  features: () => (require('./features') as { benchmark: Benchmark }).benchmark,
  e2e: () => (require('./e2e') as { benchmark: Benchmark }).benchmark,
};

/** Registers a benchmark module by name; each bench file adds itself in the table above. */
export function listBenchmarks(): string[] {
  return Object.keys(benchmarks);
}

export function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** The machine-wide `cpu` line of /proc/stat (clock ticks per state); undefined off Linux. */
function cpuTimes(): number[] | undefined {
  try {
    return readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  } catch {
    return undefined;
  }
}

/**
 * Over the whole run (set-up included): how busy the machine's CPUs were, and the share the
 * hypervisor gave to other guests ("steal"). A shared VM's steal changes from minute to minute and
 * moves latency tails with it, so each result says what it was.
 */
function cpuShares(before: number[] | undefined, after: number[] | undefined): Record<string, number> {
  if (!before || !after) return {};
  const d = after.map((v, i) => v - (before[i] ?? 0));
  const total = d.reduce((a, b) => a + b, 0);
  // user nice system idle iowait irq softirq steal …
  const pct = (n: number) => (total > 0 ? Math.round((n / total) * 1000) / 10 : 0);
  return { busyPct: pct(total - (d[3] ?? 0) - (d[4] ?? 0) - (d[7] ?? 0)), stealPct: pct(d[7] ?? 0) };
}

export async function runBenchmark(name: string, options: BenchmarkOptions): Promise<Record<string, unknown>> {
  const load = benchmarks[name];
  if (!load) throw new Error(`unknown benchmark "${name}"; known: ${listBenchmarks().join(', ')}`);
  const bench = load();
  process.stderr.write(`benchmark ${name}: ${bench.description}\n`);
  const cpuBefore = cpuTimes();
  const figures = await bench.run(options);
  const result = { benchmark: name, measuredAt: new Date().toISOString(), machine: { ...machine(), ...cpuShares(cpuBefore, cpuTimes()) }, options, ...figures };
  const dir = path.join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.table(figures);
  return result;
}

async function main(): Promise<void> {
  const program = new Command('bench')
    .argument('<name>', `benchmark to run (${listBenchmarks().join(', ')}) or "all"`)
    .option('--seconds <n>', 'how long to drive load', (v) => Number(v))
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (name: string, opts: BenchmarkOptions, cmd: Command) => {
      const extra = parseExtra(cmd.args.slice(1));
      const names = name === 'all' ? listBenchmarks() : [name];
      for (const n of names) await runBenchmark(n, { ...extra, ...opts });
    });
  await program.parseAsync(process.argv);
}

/** `--devices 3000 --rate 5` → {devices: 3000, rate: 5}; benchmarks validate their own options. */
function parseExtra(args: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) continue;
    const next = args[i + 1];
    const value = next !== undefined && !next.startsWith('--') ? (i++, next) : 'true';
    out[arg.slice(2)] = Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return out;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
