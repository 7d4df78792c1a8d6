import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A Prometheus registry per process (never the global one), so tests can make their own. */
export function createMetricsRegistry(role: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The metrics every stream consumer exposes. */
export interface ConsumerMetrics {
  messages: Counter<'outcome'>;
  batchSize: Histogram;
  batchSeconds: Histogram;
  lag: Gauge;
  behindSeconds: Gauge;
  deadLetters: Counter<'reason'>;
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  return {
    messages: new Counter({
      name: 'flowcast_consumer_messages_total',
      help: 'Messages handled by the consumer, by outcome (stored, duplicate, dead_letter)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'flowcast_consumer_batch_size',
      help: 'Messages per committed batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'flowcast_consumer_batch_seconds',
      help: 'Time to commit one batch',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'flowcast_consumer_lag_messages',
      help: 'Messages in the stream not yet delivered to this consumer group',
      registers: [registry],
    }),
    behindSeconds: new Gauge({
      name: 'flowcast_consumer_behind_seconds',
      help: 'Commit time of the last batch minus the publish time of its oldest message: how far behind the stream the consumer is (any transport; Pub/Sub tells clients no lag)',
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'flowcast_dead_letters_total',
      help: 'Payloads sent to the dead-letter table, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
