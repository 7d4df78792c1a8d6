import express, { type Router } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../core/db';
import { createAlertFanout } from '../pipelines/alerts/alert-fanout';
import type { WebhookQueue } from '../pipelines/alerts/webhook-queue';
import { noChampion, type DelayScorerSource } from '../pipelines/scoring/delay-scorer';
import type { AlertStreamHub } from './alert-stream-hub';
import type { Auth } from './auth';
import { DelayPredictor } from './delay-predictor';
import { OnlineFeatureCache } from './online-feature-cache';
import { docsPage, openApiDocument } from './openapi';
import { rateLimit } from './rate-limit';
import { alertsRouter } from './routes/alerts';
import { predictionsRouter } from './routes/predictions';
import { shipmentsRouter } from './routes/shipments';

export interface AlertsApiDeps {
  db: Db;
  logger: Logger;
  auth: Auth;
  /** Rate-limit counters and alert announcements. */
  redis: Redis;
  /** Wakes SSE streams; built by the caller, who closes it. */
  hub: AlertStreamHub;
  webhooks?: Pick<WebhookQueue, 'enqueue'>;
  scorer?: DelayScorerSource;
  rateLimit: { limit: number; windowMs: number };
  /** Micro-batching of predictions and the online-feature cache (PREDICT_BATCH_*, ONLINE_FEATURE_CACHE_MS). */
  predictions: { maxWaitMs: number; maxLegs: number; featureCacheMs: number };
  streamPollMs?: number;
}

/** The alert, shipment and prediction routes with their rate limit, SSE hub and OpenAPI document. */
export function createAlertsApi(deps: AlertsApiDeps): Router {
  const hub = deps.hub;
  const limit = rateLimit({ redis: deps.redis, ...deps.rateLimit });
  const fanout = createAlertFanout({ redis: deps.redis, logger: deps.logger, webhooks: deps.webhooks });
  const router = express.Router();
  const document = openApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(docsPage);
  });
  router.use(alertsRouter({
    db: deps.db, logger: deps.logger, auth: deps.auth, limit, hub, streamPollMs: deps.streamPollMs,
    afterChange: (events, deliveryIds) => fanout({ events, deliveryIds }),
  }));
  router.use(shipmentsRouter({ db: deps.db, auth: deps.auth, limit }));
  const predictor = new DelayPredictor({
    scorer: deps.scorer ?? noChampion,
    features: new OnlineFeatureCache({ db: deps.db, ttlMs: deps.predictions.featureCacheMs }),
    maxWaitMs: deps.predictions.maxWaitMs,
    maxLegs: deps.predictions.maxLegs,
  });
  router.use(predictionsRouter({ auth: deps.auth, limit, predictor }));
  return router;
}
