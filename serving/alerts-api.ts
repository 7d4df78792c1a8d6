import express, { type Router } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../core/db';
import { createAlertFanout } from '../pipelines/alerts/alert-fanout';
import type { WebhookQueue } from '../pipelines/alerts/webhook-queue';
import type { AlertStreamHub } from './alert-stream-hub';
import type { Auth } from './auth';
import { bufferedJsonBody } from './buffered-json-body';
import type { DelayPredictor } from './delay-predictor';
import { docsPage, openApiDocument } from './openapi';
import { rateLimit, type RateLimiter } from './rate-limit';
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
  limiter: RateLimiter;
  predictor: DelayPredictor;
  streamPollMs?: number;
}

/** Largest `POST /v1/predictions/delay` body, bytes (2 MB: 1,000 legs fit many times over). */
export const predictionBodyLimit = 2 * 1024 * 1024;

/** The alert, shipment and prediction routes with their rate limit, SSE hub and OpenAPI document. */
export function createAlertsApi(deps: AlertsApiDeps): Router {
  const hub = deps.hub;
  const limit = rateLimit(deps.limiter);
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
  router.use(predictionsRouter({ auth: deps.auth, limit, predictor: deps.predictor, jsonBody: bufferedJsonBody(predictionBodyLimit) }));
  return router;
}
