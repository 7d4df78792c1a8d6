import type { Knex } from 'knex';
import { shipmentKey } from '../../features/store/find-shipment-legs';
import type { OnlineFeatureCache } from '../../features/online-feature-cache';
import type { ShipmentLeg } from '../../features/shipment-leg';
import type { Condition } from '../alerts/condition';
import type { RuleInput } from '../alerts/rules/rule-input';
import { reportLocation } from '../alerts/rules/report-location';
import { currentLeg } from './current-leg';
import type { DelayScore, DelayScorer } from './delay-scorer';
import { legRollingInputs } from './leg-rolling-inputs';
import type { ShipmentLegCache } from './shipment-leg-cache';
import { findUnarrivedShipmentLegs } from './store/find-unarrived-shipment-legs';
import type { StoredPrediction } from './store/insert-predictions';
import type { ShipmentStatusUpdate } from './store/upsert-shipment-status';

export interface ShipmentScoring {
  conditions: Condition[];
  statuses: ShipmentStatusUpdate[];
  /** Every prediction made; `sampled` says whether the sample keeps it regardless of alerts. */
  predictions: (StoredPrediction & { sampled: boolean })[];
}

interface Latest {
  input: RuleInput;
  shipmentId: string;
  leg: ShipmentLeg;
  arrived: boolean;
}

/**
 * The shipment side of a batch: for each shipment, its latest report decides the current leg;
 * an arrival resolves the predicted-delay alert, otherwise the champion scores the leg with its
 * rolling features as of the report and P(late) raises or resolves with the tenant's hysteresis.
 */
export interface ScoringCaches {
  features?: OnlineFeatureCache;
  legs?: ShipmentLegCache;
}

export async function scoreShipments(db: Knex, inputs: RuleInput[], scorer: DelayScorer | undefined, random: () => number, caches: ScoringCaches = {}): Promise<ShipmentScoring> {
  const withShipment = inputs.filter((i) => i.report.shipmentId !== undefined);
  const out: ShipmentScoring = { conditions: [], statuses: [], predictions: [] };
  if (withShipment.length === 0) return out;
  const refs = withShipment.map((i) => ({ tenant: i.tenant, shipmentId: i.report.shipmentId! }));
  // Shipments already arrived have none: they are finished (their reports after it go unscored).
  const legs = caches.legs ? await caches.legs.get(db, refs) : await findUnarrivedShipmentLegs(db, refs);
  const latest = latestPerShipment(withShipment, legs);
  const statuses = new Map<Latest, ShipmentStatusUpdate>();
  for (const l of latest.values()) {
    const status = statusOf(l);
    statuses.set(l, status);
    out.statuses.push(status);
    if (l.arrived) out.conditions.push(arrivalClears(l));
  }
  if (!scorer) return out;
  const toScore = [...latest.values()].filter((l) => !l.arrived);
  for (const [tenant, group] of groupBy(toScore, (l) => l.input.tenant)) {
    const at = Math.max(...group.map((l) => l.input.at));
    const inputs = await legRollingInputs(db, tenant, group.map((l) => l.leg), at, caches.features, false);
    // Explained only when an alert opens (Condition.detailsOnOpen): most legs never raise one, and an open one is not raised again.
    const scores = await scorer.score(group.map((l, i) => ({ leg: l.leg, rolling: inputs[i]!.rolling })), { explain: false });
    group.forEach((l, i) => addPrediction(out, l, statuses.get(l), scores[i]!, inputs[i]!.rolling, scorer, random));
  }
  return out;
}

function latestPerShipment(inputs: RuleInput[], legs: Map<string, ShipmentLeg[]>): Map<string, Latest> {
  const out = new Map<string, Latest>();
  for (const input of [...inputs].sort((a, b) => a.at - b.at)) {
    const shipmentId = input.report.shipmentId!;
    const key = shipmentKey(input.tenant, shipmentId);
    const position = currentLeg(legs.get(key) ?? [], input.report, input.at);
    if (!position) continue;
    // Once arrived within the batch, later reports do not re-open the shipment.
    if (out.get(key)?.arrived) continue;
    out.set(key, { input, shipmentId, leg: position.leg, arrived: position.arrived });
  }
  return out;
}

function statusOf(l: Latest): ShipmentStatusUpdate {
  const loc = l.input.report.location;
  return {
    tenant: l.input.tenant, shipmentId: l.shipmentId, reportTs: l.input.at, deviceId: l.input.report.deviceId,
    lat: loc?.lat ?? null, lon: loc?.lon ?? null, legSeq: l.leg.seq, arrivedAt: l.arrived ? l.input.at : null, prediction: null,
  };
}

function arrivalClears(l: Latest): Condition {
  return {
    tenant: l.input.tenant, kind: 'predicted_delay', subjectType: 'shipment', subjectId: l.shipmentId, ruleKey: '',
    active: false, at: l.input.at, clearReason: 'arrived', final: true,
  };
}

function addPrediction(out: ShipmentScoring, l: Latest, status: ShipmentStatusUpdate | undefined, s: DelayScore, rolling: Record<string, number | null>, scorer: DelayScorer, random: () => number): void {
  const { tenant, report, at, rules } = l.input;
  const { raise, clear } = rules.predictedDelay;
  const active = s.pLate >= raise ? true : s.pLate < clear ? false : undefined;
  if (active === false) {
    // Nearly every leg: "not late", which only ever resolves an open alert; no message or details to build.
    out.conditions.push({ tenant, kind: 'predicted_delay', subjectType: 'shipment', subjectId: l.shipmentId, ruleKey: '', active, at, deviceId: report.deviceId });
  } else if (active) {
    const late = l.leg.plannedArrival + s.delayP50Min * 60_000;
    out.conditions.push({
      tenant, kind: 'predicted_delay', subjectType: 'shipment', subjectId: l.shipmentId, ruleKey: '', active, at,
      severity: s.pLate >= (1 + raise) / 2 ? 'critical' : 'warning',
      message: `shipment ${l.shipmentId} leg ${l.leg.seq} (${l.leg.from} → ${l.leg.to}) likely late: P(late) ${s.pLate.toFixed(2)}, expected ${Math.round(s.delayP50Min)} min late`,
      details: {
        legSeq: l.leg.seq, from: l.leg.from, to: l.leg.to, pLate: s.pLate, delayP50Min: s.delayP50Min, delayP90Min: s.delayP90Min,
        plannedArrival: new Date(l.leg.plannedArrival).toISOString(), predictedArrival: new Date(late).toISOString(),
        modelVersion: scorer.modelVersion, threshold: raise,
      },
      detailsOnOpen: async () => ({ topFeatures: (await scorer.score([{ leg: l.leg, rolling }], { explain: true }))[0]!.topFeatures }),
      deviceId: report.deviceId, location: reportLocation(report),
    });
  }
  if (status) status.prediction = { pLate: s.pLate, delayP50Min: s.delayP50Min, delayP90Min: s.delayP90Min, modelVersion: scorer.modelVersion, at };
  out.predictions.push({
    tenant, shipmentId: l.shipmentId, legSeq: l.leg.seq, reportId: report.id, deviceId: report.deviceId, predictedAt: at,
    pLate: s.pLate, delayP50Min: s.delayP50Min, delayP90Min: s.delayP90Min, modelVersion: scorer.modelVersion, features: rolling,
    changedAlert: false, sampled: random() < rules.predictionSampleRate,
  });
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  }
  return out;
}
