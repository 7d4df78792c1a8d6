import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import type { ApiKeyScope } from '../../../core/api-key';
import { loadConfig } from '../../../core/config';
import { createLogger } from '../../../core/logger';
import { createConsumerMetrics, createMetricsRegistry } from '../../../core/metrics';
import { createApiKey } from '../../../core/store/create-api-key';
import { createFeatureUpdater } from '../../../features/feature-updater';
import { createAlertFanout } from '../../../pipelines/alerts/alert-fanout';
import type { AppliedChanges } from '../../../pipelines/alerts/apply-conditions';
import { RulesCache } from '../../../pipelines/alerts/rules-cache';
import { WebhookQueue } from '../../../pipelines/alerts/webhook-queue';
import { startWebhookWorker } from '../../../pipelines/alerts/webhook-worker';
import { IngestConsumer } from '../../../pipelines/ingest-consumer';
import { RedisStreamsTransport } from '../../../pipelines/redis-streams-transport';
import { ScoringConsumer } from '../../../pipelines/scoring-consumer';
import type { DelayScorerSource } from '../../../pipelines/scoring/delay-scorer';
import type { Consumption } from '../../../pipelines/transport';
import { AlertStreamHub } from '../../../serving/alert-stream-hub';
import { createApp } from '../../../serving/app';
import { listenHttp, type RunningHttpServer } from '../../../serving/http-server';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './test-env';

export interface AlertsStack {
  database: TestDatabase;
  transport: RedisStreamsTransport;
  api: RunningHttpServer;
  scoring: ScoringConsumer;
  /** Every committed alert change of the scoring consumer, in order. */
  applied: AppliedChanges[];
  /** Announces and enqueues committed changes, as `flowcast score` does after each commit. */
  fanout: (applied: AppliedChanges) => Promise<void>;
  key(tenant: string, scopes: ApiKeyScope[]): Promise<string>;
  publish(tenant: string, reports: object[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole alert path in one test process against the real servers: Redis Streams with the
 * ingest (with rolling features) and scoring consumers in their own groups, BullMQ webhook
 * delivery, and the API with its SSE hub, each on names of its own.
 */
export async function startAlertsStack(options: { scorer: DelayScorerSource; webhookMaxAttempts?: number }): Promise<AlertsStack> {
  const database = await createTestDatabase('fc_alerts');
  const db = database.db;
  const redisUrl = requireEnv('REDIS_URL');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL === undefined ? 'silent' : (process.env.TEST_LOG_LEVEL as 'info') });
  const registry = createMetricsRegistry('test');
  const name = uniqueName('alerts');
  const transport = new RedisStreamsTransport({ redis, logger, streamKey: `flowcast:test:${name}`, groups: ['ingest', 'scoring'], reclaimIdleMs: 5000 });
  const prefix = `bulltest:${name}`;
  const maxAttempts = options.webhookMaxAttempts ?? 4;
  // BullMQ leaves connections it is given open on close: they are ours to disconnect.
  const queueConnection = redis.duplicate();
  const workerConnection = redis.duplicate();
  const queue = new WebhookQueue({ connection: queueConnection, maxAttempts, backoffMs: 50, prefix });
  const worker: Worker = startWebhookWorker({ db, logger, connection: workerConnection, maxAttempts, prefix, timeoutMs: 2000 });
  const fanout = createAlertFanout({ redis, logger, webhooks: queue });
  const applied: AppliedChanges[] = [];

  const ingest = new IngestConsumer({
    db, transport, logger, metrics: createConsumerMetrics(registry), maxWaitMs: 10,
    hooks: [createFeatureUpdater({ allowedLatenessMs: 15 * 60_000, logger, registry })],
  });
  const scoring = new ScoringConsumer({
    db, transport, logger, metrics: createConsumerMetrics(createMetricsRegistry('test-scoring')), maxWaitMs: 10,
    rules: new RulesCache(db, logger, 0), scorer: options.scorer,
    afterCommit: async (a) => {
      applied.push(a);
      await fanout(a);
    },
  });
  const consumptions: Consumption[] = [ingest.start(), scoring.start()];

  const hub = new AlertStreamHub(redis.duplicate(), logger);
  const app = createApp({
    config: loadConfig({}), db, transport, logger, metricsRegistry: createMetricsRegistry('test-api'),
    alerts: { redis, hub, webhooks: queue, rateLimit: { limit: 100_000, windowMs: 60_000 }, streamPollMs: 200, scorer: options.scorer },
  });
  const api = await listenHttp(app, '127.0.0.1', 0);

  return {
    database, transport, api, scoring, applied, fanout,
    key: async (tenant, scopes) => (await createApiKey(db, { tenant, scopes })).key,
    publish: (tenant, reports) => transport.publish(reports.map((r) => ({ tenant, data: JSON.stringify(r) }))),
    async stop() {
      hub.close();
      api.server.closeAllConnections();
      await api.close();
      for (const c of consumptions) await c.stop();
      await worker.close();
      await queue.close();
      queueConnection.disconnect();
      workerConnection.disconnect();
      await redis.del(transport.streamKey);
      await transport.close();
      redis.disconnect();
      await database.drop();
    },
  };
}

/** A webhook receiver on 127.0.0.1 that answers 500 to the first `failFirst` tries of each event id. */
export async function startWebhookReceiver(failFirst: number | 'always'): Promise<{
  url: string;
  tries: Map<string, number>;
  accepted: Map<string, { body: string; signature: string }>;
  close(): Promise<void>;
}> {
  const tries = new Map<string, number>();
  const accepted = new Map<string, { body: string; signature: string }>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const id = String(req.headers['x-flowcast-event-id']);
      const n = (tries.get(id) ?? 0) + 1;
      tries.set(id, n);
      if (failFirst === 'always' || n <= failFirst) {
        res.writeHead(500).end('not now');
        return;
      }
      // De-duplication by event id, as the docs tell receivers to do.
      if (!accepted.has(id)) accepted.set(id, { body, signature: String(req.headers['x-flowcast-signature']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`, tries, accepted,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
