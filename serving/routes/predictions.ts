import express, { type RequestHandler, type Router } from 'express';
import { ModelUnavailableError } from '../../core/errors';
import { predictDelayBody } from '../api-schemas';
import { principalOf, type Auth } from '../auth';
import type { DelayPredictor } from '../delay-predictor';
import { legsOf, predictionAnswerJson } from '../prediction-answer';
import { validate } from '../validate';

export interface PredictionsRouteDeps {
  auth: Auth;
  limit: RequestHandler;
  /** Batches concurrent requests: one feature read and one scoring call for all of them. */
  predictor: DelayPredictor;
  /** The JSON body parser (2 MB); it also reads a body the prediction fast path already read. */
  jsonBody: RequestHandler;
}

/**
 * `POST /v1/predictions/delay`: one leg, or `{legs: [...]}` up to 1,000. Each answer carries
 * P(late), delay p50/p90, the rolling feature values used with their freshness and the top
 * contributing inputs; the model's name and version come once. 503 while no champion exists.
 */
export function predictionsRouter(deps: PredictionsRouteDeps): Router {
  const router = express.Router();
  router.post('/v1/predictions/delay', deps.auth.requireScope('predict'), deps.limit, deps.jsonBody, async (req, res) => {
    const legs = legsOf(validate(predictDelayBody, req.body, 'prediction request'));
    const done = await deps.predictor.predict({ tenant: principalOf(res).tenant, legs });
    if (!done) throw new ModelUnavailableError(noChampionMessage);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.send(predictionAnswerJson(done, legs));
  });
  return router;
}

const noChampionMessage = 'no champion delay model yet: train one and promote it (`flowcast train delay`, `flowcast models promote`)';
