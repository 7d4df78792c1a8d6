import express, { type RequestHandler, type Router } from 'express';
import type { z } from 'zod';
import { ModelUnavailableError } from '../../core/errors';
import type { ShipmentLeg } from '../../features/shipment-leg';
import { predictDelayBody, type legRequest, type predictDelayAnswer } from '../api-schemas';
import { principalOf, type Auth } from '../auth';
import type { DelayPredictor } from '../delay-predictor';
import { validate } from '../validate';

export interface PredictionsRouteDeps {
  auth: Auth;
  limit: RequestHandler;
  /** Batches concurrent requests: one feature read and one scoring call for all of them. */
  predictor: DelayPredictor;
}

type LegRequest = z.infer<typeof legRequest>;

/**
 * `POST /v1/predictions/delay`: one leg, or `{legs: [...]}` up to 1,000. Each answer carries
 * P(late), delay p50/p90, the rolling feature values used with their freshness and the top
 * contributing inputs; the model's name and version come once. 503 while no champion exists.
 */
export function predictionsRouter(deps: PredictionsRouteDeps): Router {
  const router = express.Router();
  router.post('/v1/predictions/delay', deps.auth.requireScope('predict'), deps.limit, express.json({ limit: '2mb' }), async (req, res) => {
    const body = validate(predictDelayBody, req.body, 'prediction request');
    const requested = 'legs' in body ? body.legs : [body];
    const legs = requested.map(toLeg);
    const done = await deps.predictor.predict({ tenant: principalOf(res).tenant, legs });
    if (!done) throw new ModelUnavailableError('no champion delay model yet: train one and promote it (`flowcast train delay`, `flowcast models promote`)');
    const { inputs, scores, at: now } = done;
    const answer: z.infer<typeof predictDelayAnswer> = {
      model: done.model,
      predictions: scores.map((s, i) => ({
        pLate: s.pLate,
        delayP50Min: s.delayP50Min,
        delayP90Min: s.delayP90Min,
        predictedArrival: new Date(legs[i]!.plannedArrival + s.delayP50Min * 60_000).toISOString(),
        features: Object.fromEntries(
          Object.entries(inputs[i]!.rolling).map(([name, value]) => {
            const f = inputs[i]!.freshness[name];
            return [name, {
              value,
              asOf: new Date(f?.asOf ?? now).toISOString(),
              lastEventAt: f?.lastEventAt != null ? new Date(f.lastEventAt).toISOString() : null,
              ageSeconds: f?.lastEventAt != null ? Math.round((now - f.lastEventAt) / 1000) : null,
            }];
          }),
        ),
        topFeatures: s.topFeatures,
      })),
    };
    res.json(answer);
  });
  return router;
}

function toLeg(r: LegRequest, i: number): ShipmentLeg {
  return {
    shipmentId: r.shipmentId ?? `request-${i}`, seq: r.seq ?? 0, mode: r.mode, from: r.from, to: r.to,
    plannedDeparture: Date.parse(r.plannedDeparture), plannedArrival: Date.parse(r.plannedArrival), ...(r.carrier ? { carrier: r.carrier } : {}),
  };
}
