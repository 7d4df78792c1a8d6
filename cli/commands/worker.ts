import { hostname } from 'node:os';
import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { onShutdown } from '../../core/graceful-shutdown';
import { createArtifactStore } from '../../models/registry/create-artifact-store';
import { RetrainQueue } from '../../training/retrain-queue';
import { driftThresholdsOf, retrainSettingsOf } from '../../training/retrain-settings';
import { RetrainTriggers } from '../../training/retrain-triggers';
import { startRetrainWorker } from '../../training/retrain-worker';
import { trainInThread } from '../../training/train-in-thread';
import { createContext } from '../context';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run retrain jobs from the `retrain` queue (one at a time), scheduled retrains (RETRAIN_SCHEDULES) and drift checks (DRIFT_*)')
    .option('--no-triggers', 'only train: register no schedules and run no drift checks in this process')
    .action(async (opts: { triggers: boolean }) => {
      const { config, logger, db } = createContext('worker');
      const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
      const workerName = `${hostname()}-${process.pid}`;
      const worker = startRetrainWorker({
        db, logger, redis, workerName, connection: redis, prefix: config.RETRAIN_QUEUE_PREFIX, store: createArtifactStore(config),
        settings: retrainSettingsOf(config), train: trainInThread, lockMs: config.RETRAIN_LOCK_MS, stalledCheckMs: config.RETRAIN_STALLED_CHECK_MS,
      });
      const queue = new RetrainQueue({ connection: redis, prefix: config.RETRAIN_QUEUE_PREFIX, attempts: config.RETRAIN_ATTEMPTS, backoffMs: config.RETRAIN_BACKOFF_MS });
      const triggers = opts.triggers
        ? new RetrainTriggers({
          db, logger, connection: redis, prefix: config.RETRAIN_QUEUE_PREFIX, retrain: queue, tenant: config.RETRAIN_TENANT, schedules: config.RETRAIN_SCHEDULES,
          driftModels: ['delay'], driftEveryMs: config.DRIFT_CHECK_EVERY_MS, thresholds: driftThresholdsOf(config),
        })
        : undefined;
      await triggers?.start();
      logger.info({ workerName, triggers: opts.triggers }, 'retrain worker started');
      // A training still running when the timeout passes is taken over by another worker once its lock expires.
      onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
        await triggers?.close();
        await worker.close();
        await queue.close();
        redis.disconnect();
        await db.destroy();
      });
    });
}
