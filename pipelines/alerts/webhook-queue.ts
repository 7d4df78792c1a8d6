import { Queue, type ConnectionOptions } from 'bullmq';

export interface WebhookQueueOptions {
  connection: ConnectionOptions;
  /** BullMQ queue name; default `alert-webhooks`. */
  name?: string;
  /** Tries before a delivery is given up and shown as failed; default 8. */
  maxAttempts?: number;
  /** First retry delay, doubled at each further try; default 1000 ms. */
  backoffMs?: number;
  /** Key prefix of the queue in Redis; default BullMQ's `bull`. */
  prefix?: string;
}

export const defaultWebhookQueueName = 'alert-webhooks';

/**
 * Enqueues webhook deliveries (rows of webhook_deliveries) for the webhook worker. The job id
 * is the delivery id, so enqueuing a delivery twice (after a crash, by the stale sweep) is a no-op.
 */
export class WebhookQueue {
  private readonly queue: Queue;
  readonly maxAttempts: number;

  constructor(options: WebhookQueueOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.queue = new Queue(options.name ?? defaultWebhookQueueName, {
      connection: options.connection,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      defaultJobOptions: {
        attempts: this.maxAttempts,
        backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 24 * 3600 },
      },
    });
  }

  async enqueue(deliveryIds: number[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(deliveryIds.map((id) => ({ name: 'deliver', data: { deliveryId: id }, opts: { jobId: `delivery-${id}` } })));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
