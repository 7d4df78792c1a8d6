import { Queue, type ConnectionOptions } from 'bullmq';
import type { Knex } from 'knex';
import { createTrainingRun, deleteTrainingRun, findTrainingRun, recordRunFailure, type RetrainParameters, type RunTrigger, type TrainingRun } from './store/training-runs';

export const retrainQueueName = 'retrain';

export interface RetrainJobData {
  runId: number;
  model: string;
}

export interface RetrainQueueOptions {
  connection: ConnectionOptions;
  /** Tries of one run before it is failed for good. */
  attempts: number;
  /** First retry delay, doubled at each further try. */
  backoffMs: number;
  /** Redis key prefix; default BullMQ's `bull`. */
  prefix?: string;
}

export interface RetrainRequest {
  model: string;
  tenant: string;
  trigger: RunTrigger;
  reason: string;
  parameters?: RetrainParameters;
}

/** One training at a time per model: the job id is the model's, so a second request joins the first. */
export const retrainJobId = (model: string): string => `retrain-${model}`;

/**
 * Enqueues retrain runs. Each request gets a training_runs row first (so the worker always
 * finds it); when the model already has a run waiting or training, the new row is dropped and
 * the caller is given the run already under way.
 */
export class RetrainQueue {
  readonly queue: Queue<RetrainJobData>;

  constructor(options: RetrainQueueOptions) {
    this.queue = new Queue<RetrainJobData>(retrainQueueName, {
      connection: options.connection,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      defaultJobOptions: {
        attempts: options.attempts,
        backoff: { type: 'exponential', delay: options.backoffMs },
        // Finished jobs free the model's job id at once; their record is the training_runs row.
        removeOnComplete: true,
        removeOnFail: true,
      },
    });
  }

  async request(db: Knex, r: RetrainRequest): Promise<{ run: TrainingRun; deduplicated: boolean }> {
    const jobId = retrainJobId(r.model);
    const existing = await this.runUnderWay(db, jobId);
    if (existing) return { run: existing, deduplicated: true };
    const run = await createTrainingRun(db, { model: r.model, tenant: r.tenant, trigger: r.trigger, reason: r.reason, parameters: r.parameters ?? {} });
    try {
      await this.queue.add('train', { runId: run.id, model: r.model }, { jobId });
    } catch (err) {
      // Never leave a run that no job will ever pick up looking queued.
      await recordRunFailure(db, run.id, `could not be enqueued: ${(err as Error).message}`, true);
      throw err;
    }
    // Two requests may have raced past the check: BullMQ kept one job, the other row goes.
    const job = await this.queue.getJob(jobId);
    if (job && job.data.runId !== run.id) {
      await deleteTrainingRun(db, run.id);
      const winner = await findTrainingRun(db, job.data.runId);
      if (winner) return { run: winner, deduplicated: true };
    }
    return { run, deduplicated: false };
  }

  private async runUnderWay(db: Knex, jobId: string): Promise<TrainingRun | undefined> {
    const job = await this.queue.getJob(jobId);
    if (!job) return undefined;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') {
      // A finished job left behind would swallow the next request's add().
      await job.remove().catch(() => undefined);
      return undefined;
    }
    if (state === 'unknown') return undefined;
    return findTrainingRun(db, job.data.runId);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
