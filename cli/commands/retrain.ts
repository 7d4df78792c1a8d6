import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { ValidationError } from '../../core/errors';
import { RetrainQueue } from '../../training/retrain-queue';
import { findTrainingRun, finishedStatuses, listTrainingRuns, type RetrainParameters, type TrainingRun } from '../../training/store/training-runs';
import { createContext, type CliContext } from '../context';
import { createProgress } from '../progress';

interface RetrainOpts {
  sample?: number; from?: string; to?: string; epochs?: number; batchSize?: number; reason?: string; wait?: boolean; json?: boolean;
}

const trainable = new Set(['delay']);

export function registerRetrain(program: Command): void {
  program
    .command('retrain <model>')
    .description('enqueue a retrain of a model (only `delay` today) for `flowcast worker`; with --wait, follow its progress to the decision')
    .option('--sample <n>', 'train on a seeded sample of this many legs', positiveInt)
    .option('--from <time>', 'earliest planned departure (RFC 3339)')
    .option('--to <time>', 'planned departures before this time (RFC 3339)')
    .option('--epochs <n>', 'most epochs', positiveInt)
    .option('--batch-size <n>', 'mini-batch size', positiveInt)
    .option('--reason <text>', 'why, kept with the run', 'requested from the command line')
    .option('--wait', 'wait for the run to finish, showing its progress')
    .option('--json', 'print JSON (with --wait, the last line is {runId, version, status, metrics, championBefore, championAfter})')
    .action(async (model: string, opts: RetrainOpts) => {
      if (!trainable.has(model)) throw new ValidationError(`no trainer for model "${model}"`, [{ path: 'model', message: `one of: ${[...trainable].join(', ')}` }]);
      const ctx = createContext('retrain');
      const redis = new Redis(ctx.config.REDIS_URL, { maxRetriesPerRequest: null });
      const queue = new RetrainQueue({ connection: redis, prefix: ctx.config.RETRAIN_QUEUE_PREFIX, attempts: ctx.config.RETRAIN_ATTEMPTS, backoffMs: ctx.config.RETRAIN_BACKOFF_MS });
      try {
        const { run, deduplicated } = await queue.request(ctx.db, {
          model, tenant: ctx.config.RETRAIN_TENANT, trigger: 'cli', reason: opts.reason ?? 'requested from the command line', parameters: parametersOf(opts),
        });
        const note = deduplicated ? `model ${model} already has run ${run.id} under way: following it` : `run ${run.id} enqueued`;
        if (opts.json && !opts.wait) process.stdout.write(`${JSON.stringify({ runId: run.id, deduplicated, status: run.status })}\n`);
        else process.stderr.write(`${note}\n`);
        if (opts.wait) await waitAndReport(ctx, run.id, opts.json === true);
      } finally {
        await queue.close();
        redis.disconnect();
        await ctx.db.destroy();
      }
    });

  program
    .command('runs <model> [runId]')
    .description('list the training runs of a model, or show one with its progress, metrics and decision')
    .option('--json', 'print JSON')
    .action(async (model: string, runId: string | undefined, opts: { json?: boolean }) => {
      const ctx = createContext('runs');
      try {
        const out = runId === undefined ? await listTrainingRuns(ctx.db, model) : await findTrainingRun(ctx.db, Number(runId));
        if (opts.json) process.stdout.write(`${JSON.stringify(out ?? null)}\n`);
        else for (const r of [out ?? []].flat()) process.stdout.write(`${summary(r)}\n`);
      } finally {
        await ctx.db.destroy();
      }
    });
}

function parametersOf(o: RetrainOpts): RetrainParameters {
  const time = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw new ValidationError(`--${name} is not a time`, [{ path: name, message: `"${v}" is not RFC 3339` }]);
    return ms;
  };
  const hyperparameters = { ...(o.epochs ? { epochs: o.epochs } : {}), ...(o.batchSize ? { batchSize: o.batchSize } : {}) };
  const from = time('from', o.from);
  const to = time('to', o.to);
  return {
    ...(o.sample ? { sample: o.sample } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}),
    ...(Object.keys(hyperparameters).length ? { hyperparameters } : {}),
  };
}

/** Polls the run's row until it is finished; its progress on standard error, the result on standard output. */
async function waitAndReport(ctx: CliContext, runId: number, json: boolean): Promise<void> {
  const bar = createProgress(`run ${runId}`, 100, '%');
  let run: TrainingRun | undefined;
  for (;;) {
    run = await findTrainingRun(ctx.db, runId);
    if (!run) throw new Error(`run ${runId} disappeared`);
    bar.update(Math.floor(run.progress.percent));
    if (finishedStatuses.includes(run.status)) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  bar.stop();
  const result = {
    runId: run.id, version: run.version, status: run.status,
    metrics: { challenger: run.challengerMetrics, champion: run.championMetrics },
    championBefore: run.championBefore, championAfter: run.championAfter,
    ...(run.status === 'failed' ? { error: run.error } : { decision: run.decision }),
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${summary(run)}\n`);
  if (run.status === 'failed') process.exitCode = 1;
}

function summary(r: TrainingRun): string {
  const m = r.challengerMetrics as { auc?: number; brier?: number } | null;
  const metrics = m ? ` auc=${m.auc?.toFixed(4)} brier=${m.brier?.toFixed(4)}` : '';
  const tail = r.status === 'failed' ? ` error: ${r.error}` : r.decision ? ` — ${r.decision}` : ` (${r.progress.percent}% ${r.progress.phase})`;
  return `run ${r.id} ${r.model} ${r.status} [${r.trigger}] v${r.version ?? '-'} champion ${r.championBefore ?? '-'}→${r.championAfter ?? '-'}${metrics}${tail}`;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ValidationError(`"${v}" is not a positive integer`, [{ path: 'option', message: 'a positive integer' }]);
  return n;
}
