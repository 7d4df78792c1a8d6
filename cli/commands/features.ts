import type { Command } from 'commander';
import { defaultCatalog, FeatureRetentionError, pruneFeatureState, pruneHorizon } from '../../features';
import { createContext } from '../context';

const dayMs = 86_400_000;

export function registerFeatures(program: Command): void {
  const features = program.command('features').description('maintain rolling-feature state');
  features
    .command('prune')
    .description('delete feature tiles older than the retention (run it daily, e.g. from cron or a Kubernetes CronJob); point-in-time reads before it are then refused, for every entity type (device features read the reports, which it keeps)')
    .option('--keep-days <days>', 'days of feature state to keep (default FEATURE_RETENTION_DAYS)')
    .option('--batch-rows <rows>', 'rows per DELETE statement', '10000')
    .action(async (opts: { keepDays?: string; batchRows: string }) => {
      const { config, logger, db } = createContext('features-prune');
      try {
        const keepDays = opts.keepDays === undefined ? config.FEATURE_RETENTION_DAYS : Number(opts.keepDays);
        if (keepDays === undefined) throw new FeatureRetentionError('say how many days of feature state to keep: --keep-days N or FEATURE_RETENTION_DAYS');
        if (!(keepDays > 0)) throw new FeatureRetentionError(`--keep-days must be a positive number of days, not "${opts.keepDays}"`);
        const batchRows = Number(opts.batchRows);
        if (!Number.isInteger(batchRows) || batchRows < 1) throw new FeatureRetentionError(`--batch-rows must be a positive whole number, not "${opts.batchRows}"`);
        const before = pruneHorizon(Date.now(), keepDays * dayMs, defaultCatalog, config.FEATURE_ALLOWED_LATENESS_MS);
        let lastLine = Date.now();
        const deleted = await pruneFeatureState(db, {
          before,
          batchRows,
          onProgress: (sofar) => {
            if (Date.now() - lastLine < 1000) return;
            lastLine = Date.now();
            process.stderr.write(`pruning before ${new Date(before).toISOString()}: ${sofar.tiles} tile rows deleted\n`);
          },
        });
        logger.info({ before: new Date(before).toISOString(), ...deleted }, 'feature state pruned');
        process.stdout.write(`deleted ${deleted.tiles} tile rows before ${new Date(before).toISOString()}\n`);
      } finally {
        await db.destroy();
      }
    });
}
