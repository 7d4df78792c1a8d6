import path from 'node:path';
import knex, { type Knex } from 'knex';
import { migrations } from '../core/migrations';
import { ensureUpcomingPartitions } from '../core/store/ensure-report-partitions';
import { parseDelayArtifact } from '../models/delay-model-artifact';
import { createArtifactStore } from '../models/registry/create-artifact-store';
import { championOf } from '../models/registry/model-registry';
import { runFlowcast } from './child-process';

/**
 * A database for a benchmark that holds a real, promoted champion delay model trained on the real
 * 2001 flights, as `flowcast demo` trains its first model:
 *
 *   flowcast import flights --limit SAMPLE
 *   flowcast train delay --sample SAMPLE --epochs EPOCHS --no-ablation --json
 *   flowcast models promote delay V
 *
 * each as a child process. That takes a few minutes, so it is done once into a template database
 * (`flowcast_bench_model`), rebuilt only when it is missing, its migrations are behind the code,
 * it was built with other settings, or its champion's artifact cannot be read any more; every
 * benchmark then gets a fresh copy of it (`CREATE DATABASE name TEMPLATE flowcast_bench_model`,
 * a second or so). The copy also holds the imported flights (their legs, outcomes and rolling
 * features, tenant `flights`), so benchmarks can book legs on lanes the model has seen.
 *
 * Usage (a benchmark):
 *
 *   const bench = await benchChampion(process.env.DATABASE_URL!, 'flowcast_bench_scoring');
 *   // bench.databaseUrl → DATABASE_URL of the `flowcast score` / `flowcast api` children
 *   // bench.model.version, bench.tenant, bench.lanes → legs to book with upsertShipmentLegs
 *
 * The artifact lives under `artifacts/bench-models` (git-ignored); registry rows keep its full
 * URI, so children need no MODEL_ARTIFACTS_DIR to load it.
 */
export interface BenchChampion {
  /** URL of the benchmark's own database: a fresh copy of the template, already migrated. */
  databaseUrl: string;
  /** Tenant of the imported flights: their legs, outcomes and rolling features live under it. */
  tenant: string;
  /** The promoted champion. */
  model: { name: string; version: number; auc: number | null; artifactUri: string };
  /** Airports of the imported flights, busiest first. */
  hubs: string[];
  /** Lanes (origin → destination airport) of the imported flights, busiest first, with their median planned block time. */
  lanes: BenchLane[];
}

export interface BenchLane {
  from: string;
  to: string;
  flights: number;
  blockMinutes: number;
}

export interface BenchChampionOptions {
  /** Flights imported and trained on (default 100,000, as `flowcast demo`). */
  sample?: number;
  /** Most training epochs (default 8, as `flowcast demo`). */
  epochs?: number;
  /** Name of the template database (default `flowcast_bench_model`). */
  template?: string;
  /** Progress lines (default: to stderr, prefixed `bench-champion:`). */
  say?: (line: string) => void;
}

const modelName = 'delay';
const tenant = 'flights';
const artifactsDir = path.join(__dirname, '..', '..', 'artifacts', 'bench-models');

/**
 * Drops and re-creates database `name` next to `adminUrl`'s as a copy of the bench model template
 * (building the template first when needed); returns its URL, the champion and the lanes.
 * Concurrent callers (two benchmarks at once) wait for each other's template build.
 */
export async function benchChampion(adminUrl: string, name: string, options: BenchChampionOptions = {}): Promise<BenchChampion> {
  const settings = { sample: options.sample ?? 100_000, epochs: options.epochs ?? 8 };
  const template = options.template ?? 'flowcast_bench_model';
  const say = options.say ?? ((line: string) => process.stderr.write(`bench-champion: ${line}\n`));
  if (name === template) throw new Error(`the benchmark database cannot be the template itself (${template})`);
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 1, max: 1 } });
  try {
    // One builder at a time: an advisory lock in the admin database (the pool holds one connection).
    await admin.raw('SELECT pg_advisory_lock(hashtext(?))', [`flowcast:${template}`]);
    try {
      const stale = await whyRebuild(adminUrl, admin, template, settings);
      if (stale) {
        say(`building template database ${template} (${stale})`);
        await buildTemplate(adminUrl, admin, template, settings, say);
      }
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.raw('CREATE DATABASE ?? TEMPLATE ??', [name, template]);
    } finally {
      await admin.raw('SELECT pg_advisory_unlock(hashtext(?))', [`flowcast:${template}`]);
    }
  } finally {
    await admin.destroy();
  }
  const databaseUrl = urlOf(adminUrl, name);
  const described = await describe(databaseUrl);
  say(`${name}: a copy of ${template} with champion ${modelName} v${described.model.version} (test AUC ${described.model.auc?.toFixed(3) ?? 'unknown'}), ${described.lanes.length} lanes`);
  return { databaseUrl, ...described };
}

function urlOf(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Why the template must be (re)built, or undefined when it can be copied as it is. */
async function whyRebuild(adminUrl: string, admin: Knex, template: string, settings: { sample: number; epochs: number }): Promise<string | undefined> {
  const row = (await admin.raw('SELECT shobj_description(oid, \'pg_database\') AS comment FROM pg_database WHERE datname = ?', [template])).rows[0] as { comment: string | null } | undefined;
  if (!row) return 'it does not exist yet';
  const built = JSON.parse(row.comment ?? '{}') as { sample?: number; epochs?: number };
  if (built.sample !== settings.sample || built.epochs !== settings.epochs) return `it was built with ${JSON.stringify(built)}, asked for ${JSON.stringify(settings)}`;
  const db = knex({ client: 'pg', connection: urlOf(adminUrl, template), pool: { min: 0, max: 1 } });
  try {
    const applied = new Set(((await db('knex_migrations').select('name')) as { name: string }[]).map((r) => r.name));
    const missing = migrations.map(([n]) => n).filter((n) => !applied.has(n));
    if (missing.length > 0) return `its migrations are behind: ${missing.join(', ')} not applied`;
    const champion = await championOf(db, modelName);
    if (!champion) return 'it has no champion';
    try {
      parseDelayArtifact((await createArtifactStore({ MODEL_ARTIFACTS_DIR: artifactsDir }).get(champion.artifactUri)).toString('utf8'));
    } catch (err) {
      return `its champion's artifact cannot be loaded: ${(err as Error).message}`;
    }
    return undefined;
  } finally {
    await db.destroy();
  }
}

/** Builds into `<template>_build` and renames it at the end, so a build that fails half-way never passes for a template. */
async function buildTemplate(adminUrl: string, admin: Knex, template: string, settings: { sample: number; epochs: number }, say: (line: string) => void): Promise<void> {
  const building = `${template}_build`;
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [building]);
  await admin.raw('CREATE DATABASE ??', [building]);
  const env = { DATABASE_URL: urlOf(adminUrl, building), MODEL_ARTIFACTS_DIR: artifactsDir, LOG_LEVEL: 'warn' };
  const started = Date.now();
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    say(`${what} …`);
    const out = await run();
    say(`${what}: done in ${Math.round((Date.now() - t) / 1000)} s`);
    return out;
  };
  await step('migrate', () => runFlowcast(['migrate'], env));
  await step(`import ${settings.sample} flights (vega-datasets flights-3m, the first by departure)`, () => runFlowcast(['import', 'flights', '--limit', String(settings.sample)], env));
  const trained = await step(`train delay on them (${settings.epochs} epochs at most, no ablation)`, () =>
    runFlowcast(['train', 'delay', '--sample', String(settings.sample), '--epochs', String(settings.epochs), '--no-ablation', '--json'], env));
  const registered = lastJsonLine(trained) as { version?: { version?: number } } | undefined;
  const version = registered?.version?.version;
  if (typeof version !== 'number') throw new Error(`flowcast train delay printed no registered version:\n${trained.slice(-2000)}`);
  await step(`promote delay v${version}`, () => runFlowcast(['models', 'promote', modelName, String(version), '--reason', 'bench: champion trained as the demo trains its first model'], env));
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [template]);
  await admin.raw('ALTER DATABASE ?? RENAME TO ??', [building, template]);
  await admin.raw(`COMMENT ON DATABASE ?? IS '${JSON.stringify(settings)}'`, [template]);
  say(`template ${template} built in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function describe(databaseUrl: string): Promise<Omit<BenchChampion, 'databaseUrl'>> {
  const db = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  try {
    // The template may be days old: today's report partitions, as `flowcast migrate` makes them.
    await ensureUpcomingPartitions(db, 3);
    const champion = await championOf(db, modelName);
    if (!champion) throw new Error(`the bench database ${databaseUrl} has no ${modelName} champion`);
    const lanes = ((await db.raw(
      `SELECT from_hub AS "from", to_hub AS "to", count(*)::int AS flights,
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM planned_arrival - planned_departure) / 60))::int AS "blockMinutes"
       FROM shipment_legs WHERE tenant = ? GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
      [tenant],
    )).rows as BenchLane[]);
    const perHub = new Map<string, number>();
    for (const l of lanes) for (const h of [l.from, l.to]) perHub.set(h, (perHub.get(h) ?? 0) + l.flights);
    const hubs = [...perHub].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([h]) => h);
    const auc = champion.metrics.auc;
    return {
      tenant,
      model: { name: modelName, version: champion.version, auc: typeof auc === 'number' ? auc : null, artifactUri: champion.artifactUri },
      hubs,
      lanes,
    };
  } finally {
    await db.destroy();
  }
}

function lastJsonLine(text: string): unknown {
  const line = text.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  return line === undefined ? undefined : JSON.parse(line);
}
