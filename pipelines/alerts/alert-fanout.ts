import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { alertChannel } from './alert-channel';
import type { AppliedChanges } from './apply-conditions';
import type { WebhookQueue } from './webhook-queue';

export interface AlertFanoutOptions {
  redis: Redis;
  logger: Logger;
  webhooks?: Pick<WebhookQueue, 'enqueue'>;
}

/**
 * After a transaction with alert changes commits: announce each tenant's newest event to SSE
 * streams and enqueue the webhook deliveries. Both are best-effort here because both are
 * recovered from the database (streams poll the event log; pending deliveries are re-enqueued).
 */
export function createAlertFanout(options: AlertFanoutOptions): (applied: AppliedChanges) => Promise<void> {
  return async (applied) => {
    const newest = new Map<string, string>();
    for (const e of applied.events) newest.set(e.tenant, e.event.eventId);
    try {
      if (newest.size > 0) {
        const pipeline = options.redis.pipeline();
        for (const [tenant, seq] of newest) pipeline.publish(alertChannel(tenant), seq);
        await pipeline.exec();
      }
      await options.webhooks?.enqueue(applied.deliveryIds);
    } catch (err) {
      options.logger.warn({ err, events: applied.events.length }, 'announcing alert events failed; streams and the delivery sweep will catch up');
    }
  };
}
