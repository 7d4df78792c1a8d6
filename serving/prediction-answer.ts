import type { z } from 'zod';
import type { FeatureVector } from '../features/feature-vector';
import type { ShipmentLeg } from '../features/shipment-leg';
import { legRoles } from '../models/leg-entities';
import type { legRequest, predictDelayAnswer, predictDelayBody } from './api-schemas';
import type { DelayPrediction } from './delay-predictor';

type LegRequest = z.infer<typeof legRequest>;

/** The legs of a validated `POST /v1/predictions/delay` body. */
export function legsOf(body: z.infer<typeof predictDelayBody>): ShipmentLeg[] {
  return ('legs' in body ? body.legs : [body]).map(toLeg);
}

function toLeg(r: LegRequest, i: number): ShipmentLeg {
  return {
    shipmentId: r.shipmentId ?? `request-${i}`, seq: r.seq ?? 0, mode: r.mode, from: r.from, to: r.to,
    plannedDeparture: Date.parse(r.plannedDeparture), plannedArrival: Date.parse(r.plannedArrival), ...(r.carrier ? { carrier: r.carrier } : {}),
  };
}

/** The answer as an object: the definition predictionAnswerJson must match byte for byte. */
export function predictionAnswer(done: DelayPrediction, legs: readonly ShipmentLeg[]): z.infer<typeof predictDelayAnswer> {
  const now = done.at;
  return {
    model: done.model,
    predictions: done.scores.map((s, i) => ({
      pLate: s.pLate,
      delayP50Min: s.delayP50Min,
      delayP90Min: s.delayP90Min,
      predictedArrival: new Date(legs[i]!.plannedArrival + s.delayP50Min * 60_000).toISOString(),
      features: Object.fromEntries(
        Object.entries(done.inputs[i]!.rolling).map(([name, value]) => {
          const f = done.inputs[i]!.freshness[name];
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
}

/** Per feature of a vector in one role: the JSON up to `"ageSeconds":`, and the event time the age is counted from. */
interface Fragments {
  heads: string[];
  lastEventAt: (number | null)[];
}

const fragments = new WeakMap<FeatureVector, Map<string, Fragments>>();

/**
 * `JSON.stringify(predictionAnswer(done, legs))`, written directly. The features of a hub, lane
 * or network are the same for every leg that reads the same cached vector, so their JSON (name,
 * value, asOf, lastEventAt) is built once per vector and role; only ageSeconds moves with the clock.
 */
export function predictionAnswerJson(done: DelayPrediction, legs: readonly ShipmentLeg[]): string {
  const now = done.at;
  let out = `{"model":{"name":${JSON.stringify(done.model.name)},"version":${JSON.stringify(done.model.version)}},"predictions":[`;
  done.scores.forEach((s, i) => {
    if (i > 0) out += ',';
    out += `{"pLate":${num(s.pLate)},"delayP50Min":${num(s.delayP50Min)},"delayP90Min":${num(s.delayP90Min)},`;
    out += `"predictedArrival":"${new Date(legs[i]!.plannedArrival + s.delayP50Min * 60_000).toISOString()}","features":{`;
    let first = true;
    const vectors = done.vectors[i]!;
    legRoles.forEach((role, r) => {
      const v = vectors[r];
      if (!v) return;
      const f = fragmentsOf(v, role, now);
      for (let k = 0; k < f.heads.length; k++) {
        if (!first) out += ',';
        first = false;
        const t = f.lastEventAt[k];
        out += f.heads[k];
        out += t != null ? Math.round((now - t) / 1000) : 'null';
        out += '}';
      }
    });
    out += `},"topFeatures":${JSON.stringify(s.topFeatures)}}`;
  });
  return `${out}]}`;
}

const num = (x: number): string => JSON.stringify(x);

function fragmentsOf(v: FeatureVector, role: string, now: number): Fragments {
  let byRole = fragments.get(v);
  const held = byRole?.get(role);
  if (held) return held;
  const built: Fragments = { heads: [], lastEventAt: [] };
  let complete = true;
  for (const name in v.values) {
    const f = v.freshness[name];
    // A feature without freshness would say asOf = now: that part moves with the clock, keep nothing.
    if (!f) complete = false;
    built.heads.push(`${JSON.stringify(`${role}:${name}`)}:{"value":${JSON.stringify(v.values[name])},"asOf":"${new Date(f?.asOf ?? now).toISOString()}",`
      + `"lastEventAt":${f?.lastEventAt != null ? `"${new Date(f.lastEventAt).toISOString()}"` : 'null'},"ageSeconds":`);
    built.lastEventAt.push(f?.lastEventAt ?? null);
  }
  if (complete) {
    if (!byRole) fragments.set(v, (byRole = new Map()));
    byRole.set(role, built);
  }
  return built;
}
