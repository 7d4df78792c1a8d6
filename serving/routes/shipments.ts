import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db';
import { NotFoundError } from '../../core/errors';
import { findShipmentLegs } from '../../features/store/find-shipment-legs';
import { replaceShipmentPlan } from '../../features/store/replace-shipment-plan';
import { toAlert } from '../../pipelines/alerts/alert-row';
import { listAlerts } from '../../pipelines/alerts/store/list-alerts';
import { findShipmentStatus } from '../../pipelines/scoring/store/find-shipment-status';
import { bookShipmentBody, type shipmentAnswer } from '../api-schemas';
import { principalOf, type Auth } from '../auth';
import { validate } from '../validate';

export interface ShipmentsRouteDeps {
  db: Db;
  auth: Auth;
  limit: RequestHandler;
}

const params = z.strictObject({ id: z.string().min(1).max(128) });
const iso = (d: Date | number | null | undefined) => (d === null || d === undefined ? null : new Date(d).toISOString());

/**
 * `GET /v1/shipments/:id` (read): plan, status, last position, planned vs predicted arrival,
 * P(late), open alerts. `PUT /v1/shipments/:id` (ingest): books or replaces the shipment's plan,
 * so its reports are scored and its legs get rolling features and outcomes; answers as GET.
 */
export function shipmentsRouter(deps: ShipmentsRouteDeps): Router {
  const router = express.Router();
  router.get('/v1/shipments/:id', deps.auth.requireScope('read'), deps.limit, async (req, res) => {
    const { id } = validate(params, req.params, 'path');
    res.json(await shipmentAnswerOf(deps.db, principalOf(res).tenant, id));
  });
  router.put('/v1/shipments/:id', deps.auth.requireScope('ingest'), deps.limit, express.json({ limit: '256kb' }), async (req, res) => {
    const { id } = validate(params, req.params, 'path');
    const { legs } = validate(bookShipmentBody, req.body, 'shipment');
    const tenant = principalOf(res).tenant;
    await replaceShipmentPlan(deps.db, tenant, id, legs.map((l, seq) => ({
      shipmentId: id, seq, mode: l.mode, from: l.from, to: l.to,
      plannedDeparture: Date.parse(l.plannedDeparture), plannedArrival: Date.parse(l.plannedArrival), ...(l.carrier ? { carrier: l.carrier } : {}),
    })));
    res.json(await shipmentAnswerOf(deps.db, tenant, id));
  });
  return router;
}

async function shipmentAnswerOf(db: Db, tenant: string, id: string): Promise<z.infer<typeof shipmentAnswer>> {
  const [legsByKey, status, alerts] = await Promise.all([
    findShipmentLegs(db, [{ tenant, shipmentId: id }]),
    findShipmentStatus(db, tenant, id),
    listAlerts(db, { tenant, subjectType: 'shipment', subjectId: id, states: ['open', 'acknowledged'], limit: 100 }),
  ]);
  const legs = [...legsByKey.values()][0] ?? [];
  if (legs.length === 0 && !status) throw new NotFoundError(`shipment ${id} not found`);
  const plannedArrival = legs.length ? legs[legs.length - 1]!.plannedArrival : null;
  const currentLeg = legs.find((l) => l.seq === status?.current_leg_seq);
  const predictedArrival = status?.delay_p50_min != null && currentLeg ? currentLeg.plannedArrival + status.delay_p50_min * 60_000 : null;
  return {
    id,
    status: status?.arrived_at ? 'arrived' : status ? 'in_transit' : 'planned',
    legs: legs.map((l) => ({ seq: l.seq, mode: l.mode, from: l.from, to: l.to, plannedDeparture: iso(l.plannedDeparture)!, plannedArrival: iso(l.plannedArrival)!, carrier: l.carrier ?? null })),
    currentLegSeq: status?.current_leg_seq ?? null,
    lastPosition: status?.last_lat != null && status.last_lon != null
      ? { lat: status.last_lat, lon: status.last_lon, ts: iso(status.last_location_ts), deviceId: status.last_device_id }
      : null,
    lastReportAt: iso(status?.last_report_ts),
    arrivedAt: iso(status?.arrived_at),
    plannedArrival: iso(plannedArrival),
    predictedArrival: iso(predictedArrival),
    pLate: status?.p_late ?? null,
    delayP50Min: status?.delay_p50_min ?? null,
    delayP90Min: status?.delay_p90_min ?? null,
    modelVersion: status?.model_version ?? null,
    predictedAt: iso(status?.predicted_at),
    openAlerts: alerts.map(toAlert),
  };
}
