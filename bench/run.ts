import { mkdirSync, writeFileSync } from 'node:fs';
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

export async function runBenchmark(name: string, options: BenchmarkOptions): Promise<Record<string, unknown>> {
  const load = benchmarks[name];
  if (!load) throw new Error(`unknown benchmark "${name}"; known: ${listBenchmarks().join(', ')}`);
  const bench = load();
  process.stderr.write(`benchmark ${name}: ${bench.description}\n`);
  const figures = await bench.run(options);
  const result = { benchmark: name, measuredAt: new Date().toISOString(), machine: machine(), options, ...figures };
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
