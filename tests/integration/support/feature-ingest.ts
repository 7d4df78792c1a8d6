import type { Knex } from 'knex';
import type { Report } from '../../../core/report';
import { createLogger } from '../../../core/logger';
import { createConsumerMetrics, createMetricsRegistry } from '../../../core/metrics';
import type { StoredReportsHook } from '../../../features/feature-updater';
import { createFeatureUpdater } from '../../../features/feature-updater';
import { IngestConsumer } from '../../../pipelines/ingest-consumer';
import type { Transport } from '../../../pipelines/transport';

/** A transport that is never consumed: tests hand batches to the consumer's handleBatch directly. */
const idleTransport: Transport = {
  name: 'redis',
  publish: async () => undefined,
  consume: () => { throw new Error('idle transport'); },
  close: async () => undefined,
};

export const testNow = () => Date.UTC(2026, 5, 1);

/**
 * The real ingest path (insert with ON CONFLICT, then hooks, in one transaction) with the feature
 * updater hooked in, as one consumer process would run it. `wrap` lets a test break the hook.
 */
export function featureIngest(db: Knex, options: { tenant?: string; allowedLatenessMs?: number; instance?: string; wrap?: (h: StoredReportsHook) => StoredReportsHook } = {}) {
  const registry = createMetricsRegistry('test');
  const logger = createLogger({ level: 'silent' });
  const hook = createFeatureUpdater({ allowedLatenessMs: options.allowedLatenessMs ?? 15 * 60_000, logger, registry, now: testNow, ...(options.instance ? { instance: options.instance } : {}) });
  const consumer = new IngestConsumer({ db, transport: idleTransport, logger, metrics: createConsumerMetrics(registry), hooks: [options.wrap ? options.wrap(hook) : hook] });
  const tenant = options.tenant ?? 'acme';
  let seq = 0;
  return {
    registry,
    deliver: (reports: Report[]) =>
      consumer.handleBatch(reports.map((r) => ({ id: `m${seq++}`, tenant, data: Buffer.from(JSON.stringify(r)) }))),
  };
}

/** Splits a list into batches of random sizes between 1 and max (seeded). */
export function randomBatches<T>(items: T[], max: number, random: () => number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const n = 1 + Math.floor(random() * max);
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}
