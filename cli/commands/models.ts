import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { promoteChampion, rollbackChampion, type ChampionChangeDeps } from '../../models/champion-change';
import { getVersion, listVersions, type ModelVersion } from '../../models/registry/model-registry';
import { createContext } from '../context';

const metric = (v: ModelVersion, name: string): string => {
  const x = v.metrics[name];
  return typeof x === 'number' ? x.toFixed(4) : '—';
};

function printVersions(versions: ModelVersion[], json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(versions)}\n`);
    return;
  }
  if (versions.length === 0) {
    process.stdout.write('no model versions yet: flowcast train delay\n');
    return;
  }
  const rows = versions.map((v) => [v.model, `v${v.version}`, v.status, v.createdAt.slice(0, 19), `${v.dataFrom.slice(0, 10)}..${v.dataTo.slice(0, 10)}`, metric(v, 'auc'), metric(v, 'brier'), metric(v, 'baselineLaneAuc')]);
  const header = ['model', 'version', 'status', 'created', 'data', 'auc', 'brier', 'lane auc'];
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] as string).length)));
  for (const r of [header, ...rows]) process.stdout.write(`${r.map((c, j) => c.padEnd(widths[j] as number)).join('  ')}\n`);
}

const versionNumber = (v: string): number => {
  const n = Number(v.replace(/^v/, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a version such as 3 or v3, got ${v}`);
  return n;
};

/** Promote and rollback also announce the new champion, so serving processes load it at once. */
async function announcing<T>(ctx: ReturnType<typeof createContext>, fn: (d: ChampionChangeDeps) => Promise<T>): Promise<T> {
  const redis = new Redis(ctx.config.REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    return await fn({ db: ctx.db, redis, logger: ctx.logger });
  } finally {
    redis.disconnect();
  }
}

export function registerModels(program: Command): void {
  const cmd = program.command('models').description('the model registry: versions, champion, promote and roll back');
  const withDb = async (fn: (ctx: ReturnType<typeof createContext>) => Promise<void>) => {
    const ctx = createContext('models');
    try {
      await fn(ctx);
    } finally {
      await ctx.db.destroy();
    }
  };
  cmd.command('list').description('every version, newest first').argument('[model]').option('--json')
    .action((model: string | undefined, o: { json?: boolean }) => withDb(async ({ db }) => printVersions(await listVersions(db, model), o.json)));
  cmd.command('show').description('one version with all its metrics and hyperparameters').argument('<model>').argument('<version>', 'e.g. 3 or v3', versionNumber).option('--json')
    .action((model: string, version: number, o: { json?: boolean }) => withDb(async ({ db }) => {
      const v = await getVersion(db, model, version);
      process.stdout.write(o.json ? `${JSON.stringify(v)}\n` : `${JSON.stringify(v, null, 2)}\n`);
    }));
  cmd.command('promote').description('make a version the champion (the current one is retired)').argument('<model>').argument('<version>', 'e.g. 3 or v3', versionNumber)
    .option('--reason <text>', 'why', 'promoted by hand').option('--json')
    .action((model: string, version: number, o: { reason: string; json?: boolean }) => withDb(async (ctx) => {
      const v = await announcing(ctx, (d) => promoteChampion(d, model, version, o.reason));
      process.stdout.write(o.json ? `${JSON.stringify(v)}\n` : `${model} v${v.version} is champion\n`);
    }));
  cmd.command('rollback').description('retire the champion and restore the one before it').argument('<model>')
    .option('--reason <text>', 'why', 'rolled back by hand').option('--json')
    .action((model: string, o: { reason: string; json?: boolean }) => withDb(async (ctx) => {
      const r = await announcing(ctx, (d) => rollbackChampion(d, model, o.reason));
      process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `${model} v${r.retired.version} retired; v${r.restored.version} is champion again\n`);
    }));
}
