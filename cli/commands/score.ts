import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { ConfigError } from '../../core/errors';
import { onShutdown } from '../../core/graceful-shutdown';
import { createConsumerMetrics, createMetricsRegistry } from '../../core/metrics';
import { startMetricsServer, serverPort } from '../../core/metrics-server';
import { createAlertFanout } from '../../pipelines/alerts/alert-fanout';
import { startArrivedShipmentSweep } from '../../pipelines/alerts/arrived-shipment-sweep';
import { startSilenceSweep } from '../../pipelines/alerts/device-silence-sweep';
import { RulesCache } from '../../pipelines/alerts/rules-cache';
import { startStaleDeliverySweep } from '../../pipelines/alerts/stale-delivery-sweep';
import { WebhookQueue } from '../../pipelines/alerts/webhook-queue';
import { startWebhookWorker } from '../../pipelines/alerts/webhook-worker';
import { createTransport } from '../../pipelines/create-transport';
import { ScoringConsumer } from '../../pipelines/scoring-consumer';
import { parsePartition } from '../../pipelines/scoring/report-partition';
import { startDelayChampion } from '../../pipelines/scoring/start-delay-champion';
import { createContext } from '../context';

export function registerScore(program: Command): void {
  program
    .command('score')
    .description('run the scoring consumer: alert rules and delay predictions on every report, the device-silence sweep and webhook delivery')
    .option('--no-webhooks', 'do not deliver webhooks from this process (run them elsewhere)')
    .option(
      '--partition <k>',
      'with SCORING_PARTITIONS=N above 1, score partition k (0 to N-1): the reports of one Nth of the devices, in a consumer group of its own; run one process per partition (the device-silence sweep runs in partition 0)',
    )
    .action(async (opts: { webhooks: boolean; partition?: string }) => {
      const { config, logger, db } = createContext('score');
      if (config.SCORING_PARTITIONS > 1 && opts.partition === undefined) {
        throw new ConfigError('SCORING_PARTITIONS', `SCORING_PARTITIONS is ${config.SCORING_PARTITIONS}: say which partition this process scores with --partition k (0 to ${config.SCORING_PARTITIONS - 1})`);
      }
      const partition = parsePartition(opts.partition ?? '0', config.SCORING_PARTITIONS);
      const registry = createMetricsRegistry('score');
      const metrics = createConsumerMetrics(registry);
      const transport = createTransport({ config, logger, onLag: (lag) => metrics.lag.set(lag) });
      const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
      const queue = new WebhookQueue({ connection: redis, maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, backoffMs: config.WEBHOOK_BACKOFF_MS });
      const afterCommit = createAlertFanout({ redis, logger, webhooks: queue });
      // Top features for predicted-delay alerts, worked out when one opens (the alert's details carry them).
      const champion = await startDelayChampion({ db, logger, settings: config, subscriber: redis.duplicate(), explainTop: 5, pollMs: config.CHAMPION_POLL_MS });
      const consumer = new ScoringConsumer({
        db, transport, logger, metrics, afterCommit,
        rules: new RulesCache(db, logger, config.ALERT_RULES_CACHE_MS),
        scorer: champion.source,
        group: config.TRANSPORT === 'pubsub' ? config.PUBSUB_SCORING_SUBSCRIPTION : config.SCORING_GROUP,
        maxBatch: config.SCORING_BATCH_SIZE,
        maxWaitMs: config.SCORING_BATCH_WAIT_MS,
        maxReportBytes: config.MAX_REPORT_BYTES,
        partition,
      });
      // Timers over all devices: one partition runs them, not every one.
      const sweeps = partition.index === 0;
      const sweep = sweeps ? startSilenceSweep({ db, logger, afterCommit, everyMs: config.DEVICE_SILENCE_SWEEP_MS }) : undefined;
      const arrivals = sweeps ? startArrivedShipmentSweep({ db, logger, afterCommit, everyMs: config.ARRIVAL_SWEEP_MS }) : undefined;
      const stale = sweeps ? startStaleDeliverySweep({ db, logger, queue, staleMs: config.WEBHOOK_STALE_MS }) : undefined;
      const worker = opts.webhooks
        ? startWebhookWorker({ db, logger, connection: redis.duplicate(), maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, timeoutMs: config.WEBHOOK_TIMEOUT_MS })
        : undefined;
      const metricsServer = await startMetricsServer(registry, config.METRICS_PORT);
      const consumption = consumer.start();
      logger.info({ transport: transport.name, webhooks: opts.webhooks, partition: `${partition.index}/${partition.count}`, metricsPort: serverPort(metricsServer) }, 'scoring consumer started');
      onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
        await sweep?.stop();
        await arrivals?.stop();
        await stale?.stop();
        await consumer.stop();
        await champion.stop();
        await worker?.close();
        await queue.close();
        await transport.close();
        redis.disconnect();
        metricsServer.close();
        await db.destroy();
      });
      await consumption.done;
    });
}
