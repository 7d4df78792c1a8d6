import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { DriftThresholds } from './drift-check';
import { checkDriftAndRetrain } from './drift-retrain';
import type { RetrainQueue } from './retrain-queue';

export const retrainTriggersQueueName = 'retrain-triggers';

type TriggerJob = { kind: 'schedule'; model: string; cron: string } | { kind: 'drift-check'; model: string };

export interface RetrainTriggersOptions {
  db: Knex;
  logger: Logger;
  connection: ConnectionOptions;
  prefix?: string;
  retrain: Pick<RetrainQueue, 'request'>;
  tenant: string;
  /** model → cron pattern of its scheduled retrain. */
  schedules: Record<string, string>;
  /** Models whose champion is checked for drift, every `driftEveryMs`. */
  driftModels: string[];
  driftEveryMs: number;
  thresholds: DriftThresholds;
}

/**
 * Schedules and drift checks, as BullMQ job schedulers on a queue of their own (so a tick never
 * waits behind a training). A tick only asks the retrain queue, which keeps one run per model;
 * schedulers live in Redis, so every worker upserting the same ones keeps a single schedule.
 */
export class RetrainTriggers {
  private readonly queue: Queue<TriggerJob>;
  private worker: Worker<TriggerJob> | undefined;

  constructor(private readonly o: RetrainTriggersOptions) {
    this.queue = new Queue<TriggerJob>(retrainTriggersQueueName, {
      connection: o.connection, ...(o.prefix ? { prefix: o.prefix } : {}),
      defaultJobOptions: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    });
  }

  async start(): Promise<void> {
    await this.syncSchedulers();
    this.worker = new Worker<TriggerJob>(retrainTriggersQueueName, async (job) => this.handle(job.data), {
      connection: this.o.connection, ...(this.o.prefix ? { prefix: this.o.prefix } : {}), concurrency: 1,
    });
    this.worker.on('error', (err) => this.o.logger.error({ err }, 'retrain triggers worker error'));
    this.worker.on('failed', (job, err) => this.o.logger.error({ err, trigger: job?.data }, 'retrain trigger failed'));
  }

  /** Upserts the configured schedulers and removes those no longer configured. */
  private async syncSchedulers(): Promise<void> {
    const wanted = new Set<string>();
    for (const [model, cron] of Object.entries(this.o.schedules)) {
      const id = `schedule-${model}`;
      wanted.add(id);
      await this.queue.upsertJobScheduler(id, { pattern: cron, tz: 'UTC' }, { name: 'scheduled-retrain', data: { kind: 'schedule', model, cron } });
    }
    for (const model of this.o.driftModels) {
      const id = `drift-${model}`;
      wanted.add(id);
      await this.queue.upsertJobScheduler(id, { every: this.o.driftEveryMs }, { name: 'drift-check', data: { kind: 'drift-check', model } });
    }
    for (const s of await this.queue.getJobSchedulers(0, -1)) {
      const id = s.key;
      if (!wanted.has(id)) await this.queue.removeJobScheduler(id);
    }
    this.o.logger.info({ schedules: this.o.schedules, driftModels: this.o.driftModels, driftEveryMs: this.o.driftEveryMs }, 'retrain schedules and drift checks registered');
  }

  private async handle(t: TriggerJob): Promise<unknown> {
    if (t.kind === 'schedule') {
      const { run, deduplicated } = await this.o.retrain.request(this.o.db, { model: t.model, tenant: this.o.tenant, trigger: 'schedule', reason: `scheduled (cron "${t.cron}" UTC)` });
      this.o.logger.info({ model: t.model, runId: run.id, deduplicated }, 'scheduled retrain requested');
      return { runId: run.id, deduplicated };
    }
    const r = await checkDriftAndRetrain(this.o.db, this.o.retrain, { model: t.model, tenant: this.o.tenant, thresholds: this.o.thresholds });
    this.o.logger.info({ model: t.model, drifted: r.check.drifted, reasons: r.check.reasons, runId: r.runId }, 'drift checked');
    return { checkId: r.checkId, runId: r.runId };
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
