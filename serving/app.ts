import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import { NotFoundError } from '../core/errors';
import { OnlineFeatureCache } from '../features/online-feature-cache';
import type { Transport } from '../pipelines/transport';
import { noChampion, type DelayScorerSource } from '../pipelines/scoring/delay-scorer';
import { createAlertsApi, predictionBodyLimit, type AlertsApiDeps } from './alerts-api';
import { createAuth } from './auth';
import { errorHandler } from './error-handler';
import { DelayPredictor } from './delay-predictor';
import { createHttpMetrics } from './http-metrics';
import { predictionFastPath } from './prediction-fast-path';
import { RateLimiter } from './rate-limit';
import { requestMetrics } from './request-metrics';
import { featuresRouter } from './routes/features';
import { healthRouter } from './routes/health';
import { modelsRouter, type ModelsRouteDeps } from './routes/models';
import { reportsRouter } from './routes/reports';

export interface AppDeps {
  config: Config;
  db: Db;
  /** Only publish() is used: the API hands reports to the stream, consumers store them. */
  transport: Pick<Transport, 'publish'>;
  logger: Logger;
  metricsRegistry: Registry;
  /** Alerts, shipments and predictions (issue 6); absent, those routes are not served. */
  alerts?: Omit<AlertsApiDeps, 'db' | 'logger' | 'auth' | 'limiter' | 'predictor'> & {
    /** The champion predictions score with (the predictor is built from it). */
    scorer?: DelayScorerSource;
    /** Per-key budget (the rate limiter is built from it). */
    rateLimit: { limit: number; windowMs: number };
  };
  /** Retrain, runs, versions, promote and rollback (issue 5); absent, those routes are not served. */
  models?: Omit<ModelsRouteDeps, 'db' | 'logger' | 'auth'>;
}

/** The Express app of the API, not listening: `flowcast api` listens, tests may too. */
export function createApp(deps: AppDeps): Express {
  return createApi(deps).app;
}

export interface Api {
  app: Express;
  /** What `flowcast api` listens with: the prediction fast path in front of the app (the app alone without alerts deps). */
  handler: RequestListener;
}

/** The app and the request listener that serves the common prediction request beside it (prediction-fast-path.ts). */
export function createApi(deps: AppDeps): Api {
  const app = express();
  app.disable('x-powered-by');
  const metrics = createHttpMetrics(deps.metricsRegistry);
  const auth = createAuth(deps.db);
  app.use(requestMetrics(metrics));
  app.use(healthRouter({ db: deps.db, metricsRegistry: deps.metricsRegistry }));
  app.use(reportsRouter({ ...deps, auth, metrics }));
  app.use(featuresRouter({ db: deps.db, auth }));
  let handler: RequestListener = app;
  if (deps.alerts) {
    const limiter = new RateLimiter({ redis: deps.alerts.redis, ...deps.alerts.rateLimit });
    const predictor = new DelayPredictor({
      scorer: deps.alerts.scorer ?? noChampion,
      features: new OnlineFeatureCache({ db: deps.db, maxAgeMs: deps.config.ONLINE_FEATURE_CACHE_MS }),
      maxWaitMs: deps.config.PREDICT_BATCH_WAIT_MS,
      maxLegs: deps.config.PREDICT_BATCH_MAX_LEGS,
    });
    app.use(createAlertsApi({ ...deps.alerts, db: deps.db, logger: deps.logger, auth, limiter, predictor }));
    handler = predictionFastPath({ auth, limiter, predictor, metrics, logger: deps.logger, maxBodyBytes: predictionBodyLimit }, app);
  }
  if (deps.models) app.use(modelsRouter({ ...deps.models, db: deps.db, logger: deps.logger, auth }));
  app.use((req) => {
    throw new NotFoundError(`no route for ${req.method} ${req.path}`);
  });
  app.use(errorHandler(deps.logger));
  return { app, handler };
}
