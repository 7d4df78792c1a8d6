import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { findDelivery, type DeliveryToSend } from './store/find-delivery';
import { recordDeliveryAttempt } from './store/record-delivery-attempt';
import { defaultWebhookQueueName } from './webhook-queue';
import { signWebhook } from './webhook-signature';

export interface WebhookWorkerOptions {
  db: Knex;
  connection: ConnectionOptions;
  logger: Logger;
  /** Must equal the queue's maxAttempts: the last failed try marks the delivery failed. */
  maxAttempts: number;
  name?: string;
  prefix?: string;
  /** Longest wait for a receiver's answer; default 5000 ms. */
  timeoutMs?: number;
  /** Deliveries sent at once; default 10. */
  concurrency?: number;
}

export class WebhookDeliveryError extends Error {
  constructor(message: string, readonly status: number | null) {
    super(message);
    this.name = 'WebhookDeliveryError';
  }
}

/**
 * Sends each delivery as a signed POST. A 2xx answer delivers it; anything else (or no answer)
 * counts a failed try and throws, so BullMQ retries with its backoff until the last try, after
 * which the delivery is marked failed. Receivers de-duplicate by `X-Flowcast-Event-Id`.
 */
export function startWebhookWorker(options: WebhookWorkerOptions): Worker {
  const worker = new Worker(options.name ?? defaultWebhookQueueName, (job: Job<{ deliveryId: number }>) => deliverOnce(options, job), {
    connection: options.connection,
    concurrency: options.concurrency ?? 10,
    ...(options.prefix ? { prefix: options.prefix } : {}),
  });
  worker.on('error', (err) => options.logger.error({ err }, 'webhook worker error'));
  return worker;
}

async function deliverOnce(options: WebhookWorkerOptions, job: Job<{ deliveryId: number }>): Promise<void> {
  const delivery = await findDelivery(options.db, job.data.deliveryId);
  if (!delivery || delivery.state !== 'pending') return;
  const lastTry = job.attemptsMade + 1 >= options.maxAttempts;
  try {
    const status = await post(delivery, options.timeoutMs ?? 5000);
    await recordDeliveryAttempt(options.db, delivery.id, { state: 'delivered', status, error: null });
  } catch (err) {
    const status = err instanceof WebhookDeliveryError ? err.status : null;
    const message = (err as Error).message;
    await recordDeliveryAttempt(options.db, delivery.id, { state: lastTry ? 'failed' : 'pending', status, error: message });
    options.logger.warn({ deliveryId: delivery.id, attempt: job.attemptsMade + 1, lastTry, status, err: message }, 'webhook delivery failed');
    throw err;
  }
}

async function post(d: DeliveryToSend, timeoutMs: number): Promise<number> {
  const body = JSON.stringify(d.event);
  let res: Response;
  try {
    res = await fetch(d.url, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'flowcast-webhooks',
        'x-flowcast-event-id': d.event.eventId,
        'x-flowcast-alert-id': d.event.alert.id,
        'x-flowcast-signature': signWebhook(d.secret, body),
      },
    });
  } catch (err) {
    throw new WebhookDeliveryError(`no answer from ${d.url}: ${(err as Error).message}`, null);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new WebhookDeliveryError(`${d.url} answered ${res.status}`, res.status);
  return res.status;
}
