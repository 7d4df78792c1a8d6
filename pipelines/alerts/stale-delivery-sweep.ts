import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { every } from './every';
import { findStaleDeliveries } from './store/find-stale-deliveries';
import type { WebhookQueue } from './webhook-queue';

export interface StaleDeliverySweepOptions {
  db: Knex;
  logger: Logger;
  queue: Pick<WebhookQueue, 'enqueue'>;
  /** A delivery pending this long since its last change is enqueued again. */
  staleMs: number;
}

/**
 * Re-enqueues deliveries that stayed pending (their process died between commit and enqueue,
 * or Redis lost the job). Job ids are delivery ids, so one still queued is not duplicated.
 */
export function startStaleDeliverySweep(o: StaleDeliverySweepOptions): { stop(): Promise<void> } {
  return every(
    Math.max(1000, Math.floor(o.staleMs / 2)),
    async () => o.queue.enqueue(await findStaleDeliveries(o.db, o.staleMs, 1000)),
    (err) => o.logger.error({ err }, 'stale webhook delivery sweep failed'),
  );
}
