import cluster from 'node:cluster';
import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { onShutdown } from '../../core/graceful-shutdown';
import { createMetricsRegistry } from '../../core/metrics';
import { WebhookQueue } from '../../pipelines/alerts/webhook-queue';
import { createTransport } from '../../pipelines/create-transport';
import { startDelayChampion } from '../../pipelines/scoring/start-delay-champion';
import { AlertStreamHub } from '../../serving/alert-stream-hub';
import { announceListening, clusterWideMetrics, superviseApiWorkers } from '../../serving/api-workers';
import { createApi } from '../../serving/app';
import { listenHttp } from '../../serving/http-server';
import { RetrainQueue } from '../../training/retrain-queue';
import { createContext } from '../context';

export function registerApi(program: Command): void {
  program
    .command('api')
    .description('serve the HTTP API (POST /v1/reports, /healthz, /readyz, /metrics) on HTTP_HOST:HTTP_PORT')
    .action(async () => {
      const { config, logger, db } = createContext('api');
      if (config.API_WORKERS > 1 && cluster.isPrimary) {
        await db.destroy();
        superviseApiWorkers({ workers: config.API_WORKERS, logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS });
        return;
      }
      const transport = createTransport({ config, logger });
      const metricsRegistry = clusterWideMetrics(createMetricsRegistry('api'));
      const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
      const hub = new AlertStreamHub(redis.duplicate(), logger);
      const webhooks = new WebhookQueue({ connection: redis, maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, backoffMs: config.WEBHOOK_BACKOFF_MS });
      const champion = await startDelayChampion({ db, logger, settings: config, subscriber: redis.duplicate(), explainTop: 5, pollMs: config.CHAMPION_POLL_MS });
      const alerts = { redis, hub, webhooks, scorer: champion.source, rateLimit: { limit: config.API_RATE_LIMIT, windowMs: config.API_RATE_WINDOW_MS } };
      const retrain = new RetrainQueue({ connection: redis, prefix: config.RETRAIN_QUEUE_PREFIX, attempts: config.RETRAIN_ATTEMPTS, backoffMs: config.RETRAIN_BACKOFF_MS });
      const { handler } = createApi({ config, db, transport, logger, metricsRegistry, alerts, models: { retrain, redis, tenant: config.RETRAIN_TENANT } });
      const http = await listenHttp(handler, config.HTTP_HOST, config.HTTP_PORT);
      if (cluster.isWorker) logger.info({ url: http.url, worker: cluster.worker?.id }, `API worker ${cluster.worker?.id} listening on ${http.url}`);
      else logger.info({ url: http.url, transport: transport.name }, `API listening on ${http.url}`);
      announceListening(http.url);
      // Requests in flight still publish and write dead letters, so transport and db close last.
      onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
        hub.close();
        // Requests in flight may still be predicting: the champion goes once they are answered.
        await http.close();
        await champion.stop();
        await webhooks.close();
        await retrain.close();
        redis.disconnect();
        await transport.close();
        await db.destroy();
      });
    });
}
