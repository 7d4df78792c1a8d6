import type { Command } from 'commander';
import { onShutdown } from '../../core/graceful-shutdown';
import { createConsumerMetrics, createMetricsRegistry } from '../../core/metrics';
import { startMetricsServer, serverPort } from '../../core/metrics-server';
import { ensureUpcomingPartitions } from '../../core/store/ensure-report-partitions';
import { createFeatureUpdater } from '../../features';
import { createTransport } from '../../pipelines/create-transport';
import { createLegOutcomeRecorder } from '../../pipelines/leg-outcome-recorder';
import { IngestConsumer } from '../../pipelines/ingest-consumer';
import { createContext } from '../context';

const hourMs = 3_600_000;

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('run the ingest consumer: transport → validated, deduplicated reports in Postgres')
    .action(async () => {
      const { config, logger, db } = createContext('ingest');
      const registry = createMetricsRegistry('ingest');
      const metrics = createConsumerMetrics(registry);
      const transport = createTransport({ config, logger, onLag: (lag) => metrics.lag.set(lag) });
      await ensureUpcomingPartitions(db, config.PARTITION_DAYS_AHEAD);
      const partitionTimer = setInterval(() => {
        ensureUpcomingPartitions(db, config.PARTITION_DAYS_AHEAD).catch((err: unknown) => logger.error({ err }, 'creating partitions ahead failed'));
      }, hourMs);
      const consumer = new IngestConsumer({
        db, transport, logger, metrics,
        group: config.TRANSPORT === 'pubsub' ? config.PUBSUB_INGEST_SUBSCRIPTION : config.INGEST_GROUP,
        maxBatch: config.INGEST_BATCH_SIZE,
        maxWaitMs: config.INGEST_BATCH_WAIT_MS,
        batchesInFlight: config.INGEST_BATCHES_IN_FLIGHT,
        maxReportBytes: config.MAX_REPORT_BYTES,
        hooks: [createFeatureUpdater({ allowedLatenessMs: config.FEATURE_ALLOWED_LATENESS_MS, logger, registry }), createLegOutcomeRecorder()],
      });
      const metricsServer = await startMetricsServer(registry, config.METRICS_PORT);
      const consumption = consumer.start();
      logger.info({ transport: transport.name, metricsPort: serverPort(metricsServer) }, 'ingest consumer started');
      const stop = async () => {
        clearInterval(partitionTimer);
        await consumer.stop();
        await transport.close();
        metricsServer.close();
        await db.destroy();
      };
      onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, stop);
      await consumption.done;
    });
}
