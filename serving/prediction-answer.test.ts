import type { FeatureVector } from '../features/feature-vector';
import type { DelayPrediction } from './delay-predictor';
import { legsOf, predictionAnswer, predictionAnswerJson } from './prediction-answer';

const at = Date.UTC(2026, 10, 23, 12, 30, 15, 250);

function vector(type: 'hub' | 'lane' | 'network', id: string, values: Record<string, number | null>, lastEventAt: number | null, withFreshness = true): FeatureVector {
  return {
    entity: { type, id }, at, values,
    freshness: withFreshness ? Object.fromEntries(Object.keys(values).map((k) => [k, { asOf: at - 15_250, lastEventAt }])) : {},
  };
}

function prediction(vectors: (FeatureVector | undefined)[][], at0 = at): DelayPrediction {
  const inputs = vectors.map((vs) => {
    const rolling: Record<string, number | null> = {};
    const freshness: Record<string, { asOf: number; lastEventAt: number | null }> = {};
    ['origin', 'destination', 'lane', 'network'].forEach((role, r) => {
      const v = vs[r];
      if (!v) return;
      for (const [k, value] of Object.entries(v.values)) {
        rolling[`${role}:${k}`] = value;
        if (v.freshness[k]) freshness[`${role}:${k}`] = v.freshness[k]!;
      }
    });
    return { rolling, freshness };
  });
  return {
    model: { name: 'delay', version: '12' }, at: at0, inputs, vectors,
    scores: vectors.map((_, i) => ({
      pLate: Math.fround(0.123456789 + i / 10), delayP50Min: Math.fround(-3.5 + i), delayP90Min: Math.fround(10.25 * (i + 1)),
      topFeatures: i === 0 ? [{ feature: 'origin:hub.a', contribution: 0.0123 }, { feature: 'lane:lane.d"q', contribution: -0.002 }] : [],
    })),
  };
}

describe('predictionAnswerJson', () => {
  it('writes exactly what JSON.stringify writes of the answer object', () => {
    const ord = vector('hub', 'ORD', { 'hub.a': 3, 'hub.b': null, 'hub.c': -1.25 }, at - 61_700);
    const jfk = vector('hub', 'JFK', { 'hub.a': 0, 'hub.b': 2, 'hub.c': null }, null);
    const lane = vector('lane', 'ORD->JFK', { 'lane.d"q': 7.5 }, at - 3_600_000);
    const net = vector('network', 'all', { 'network.e': Number.NaN }, at - 499);
    const legs = legsOf({ legs: [
      { from: 'ORD', to: 'JFK', mode: 'air', plannedDeparture: '2026-11-23T14:00:00Z', plannedArrival: '2026-11-23T16:10:00+01:00' },
      { from: 'JFK', to: 'ORD', mode: 'road', plannedDeparture: '2026-11-23T14:00:00Z', plannedArrival: '2026-11-23T18:00:00Z', carrier: 'X', shipmentId: 'S', seq: 2 },
      { from: 'ZZZ', to: 'ORD', mode: 'air', plannedDeparture: '2026-11-23T14:00:00Z', plannedArrival: '2026-11-23T18:00:00Z' },
    ] });
    expect(legs[1]).toMatchObject({ shipmentId: 'S', seq: 2, carrier: 'X' });
    const done = prediction([[ord, jfk, lane, net], [jfk, ord, undefined, net], [undefined, ord, undefined, vector('network', 'all', { 'network.e': 1 }, at - 1, false)]]);
    const expected = JSON.stringify(predictionAnswer(done, legs));
    expect(predictionAnswerJson(done, legs)).toBe(expected);
    // Again from the held fragments, and later (ages move on, the rest stays).
    expect(predictionAnswerJson(done, legs)).toBe(expected);
    const later = { ...done, at: at + 2_600 };
    expect(predictionAnswerJson(later, legs)).toBe(JSON.stringify(predictionAnswer(later, legs)));
    expect(JSON.parse(expected).predictions[0].features['origin:hub.a']).toEqual({ value: 3, asOf: '2026-11-23T12:30:00.000Z', lastEventAt: '2026-11-23T12:29:13.550Z', ageSeconds: 62 });
  });
});
