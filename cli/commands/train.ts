import type { Command } from 'commander';
import { createArtifactStore } from '../../models/registry/create-artifact-store';
import { loadTensorflow } from '../../models/tf-backend';
import { registerDelayRun } from '../../training/register-delay-run';
import { metricsTable } from '../../training/report/metrics-table';
import { trainDelay } from '../../training/train-delay';
import { createContext } from '../context';
import { createProgress, type Progress } from '../progress';

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${v}`);
  return n;
};
const instant = (v: string): number => {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`expected a date or RFC 3339 time, got ${v}`);
  return t;
};

export function registerTrain(program: Command): void {
  program.command('train').description('train a model and record it in the registry as a candidate')
    .command('delay')
    .description('the delay model on a tenant\'s legs: temporal split, baselines, test metrics, HTML report')
    .option('--tenant <tenant>', 'whose legs', 'flights')
    .option('--from <time>', 'earliest planned departure (default: the first)', instant)
    .option('--to <time>', 'planned departures before this (default: after the last)', instant)
    .option('--epochs <n>', 'most training epochs (validation stops earlier)', positiveInt)
    .option('--sample <n>', 'train on a uniform sample of N legs', positiveInt)
    .option('--no-ablation', 'skip the model without rolling features')
    .option('--json', 'print the registered version as JSON')
    .action(async (opts: { tenant: string; from?: number; to?: number; epochs?: number; sample?: number; ablation: boolean; json?: boolean }) => {
      const { config, logger, db } = createContext('train');
      let bar: { phase: string; progress: Progress } | undefined;
      try {
        const runtime = await loadTensorflow(logger);
        const run = await trainDelay({
          db, logger, runtime, tenant: opts.tenant, from: opts.from, to: opts.to, sample: opts.sample, ablation: opts.ablation,
          lateThresholdMin: config.LATE_THRESHOLD_MIN, hyperparameters: opts.epochs ? { epochs: opts.epochs } : {},
          onProgress: (phase, done, total) => {
            if (bar?.phase !== phase) {
              bar?.progress.stop();
              bar = { phase, progress: createProgress(phase, total, phase === 'features' ? 'legs' : 'batches') };
            }
            bar.progress.update(done);
          },
        });
        bar?.progress.stop();
        const registered = await registerDelayRun(db, createArtifactStore(config), run);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(registered)}\n`);
          return;
        }
        process.stdout.write(`${metricsTable(run.report)}\n\nregistered delay v${registered.version.version} (candidate): ${registered.version.artifactUri}\nreport: ${registered.reportHtmlUri}\n`);
      } finally {
        bar?.progress.stop();
        await db.destroy();
      }
    });
}
