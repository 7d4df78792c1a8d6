import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { runRetrainJob, type RetrainJobDeps, type RetrainOutcome } from './retrain-job';
import { retrainQueueName, type RetrainJobData } from './retrain-queue';
import { recordRunFailure } from './store/training-runs';

export interface RetrainWorkerOptions extends RetrainJobDeps {
  connection: ConnectionOptions;
  prefix?: string;
  /** A dead worker's job is taken over once its lock, renewed every lockMs / 2, runs out. */
  lockMs: number;
  stalledCheckMs: number;
}

/**
 * The `retrain` queue's worker: one training at a time in this process (the machine's cores go to
 * TensorFlow). A failed try records its reason on the run and throws, so BullMQ retries it with
 * backoff; the last failed try fails the run for good. A job whose worker died is found by the
 * stalled check of any live worker and run again (at most twice, then it fails).
 */
export function startRetrainWorker(o: RetrainWorkerOptions): Worker<RetrainJobData, RetrainOutcome | undefined> {
  const worker = new Worker<RetrainJobData, RetrainOutcome | undefined>(retrainQueueName, (job) => tryOnce(o, job), {
    connection: o.connection,
    ...(o.prefix ? { prefix: o.prefix } : {}),
    concurrency: 1,
    lockDuration: o.lockMs,
    stalledInterval: o.stalledCheckMs,
    maxStalledCount: 2,
    name: o.workerName,
  });
  worker.on('error', (err) => o.logger.error({ err }, 'retrain worker error'));
  // Failures outside a try (a job stalled too often) never pass through tryOnce.
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(err.message);
    if (final) void recordRunFailure(o.db, job.data.runId, err.message, true).catch(() => undefined);
  });
  return worker;
}

async function tryOnce(o: RetrainWorkerOptions, job: Job<RetrainJobData>): Promise<RetrainOutcome | undefined> {
  try {
    return await runRetrainJob(o, job);
  } catch (err) {
    const reason = (err as Error).message || String(err);
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    o.logger.error({ err, runId: job.data.runId, attempt: job.attemptsMade + 1, final }, 'retrain try failed');
    await recordRunFailure(o.db, job.data.runId, reason, final);
    throw err;
  }
}
