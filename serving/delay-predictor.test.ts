import type { EntityRef } from '../features/entity';
import type { FeatureVector } from '../features/feature-vector';
import type { OnlineFeatureCache } from '../features/online-feature-cache';
import type { ShipmentLeg } from '../features/shipment-leg';
import type { DelayScorer, LegToScore } from '../pipelines/scoring/delay-scorer';
import { DelayPredictor } from './delay-predictor';

const leg = (from: string, to: string): ShipmentLeg => ({ shipmentId: `${from}${to}`, seq: 0, mode: 'air', from, to, plannedDeparture: 0, plannedArrival: 3_600_000 });

function fakes() {
  const reads: { tenant: string; entities: EntityRef[]; at: number }[] = [];
  const scored: LegToScore[][] = [];
  const features = {
    get: async (tenant: string, entities: EntityRef[], at: number) => {
      reads.push({ tenant, entities, at });
      const out = new Map<string, FeatureVector>();
      for (const e of entities) {
        const value = e.type === 'network' ? 7 : e.id.length;
        out.set(`${e.type}:${e.id}`, { entity: e, at, values: { [`${e.type}.x`]: value }, freshness: { [`${e.type}.x`]: { asOf: at - 1000, lastEventAt: at - 5000 } } });
      }
      return out;
    },
  } as unknown as OnlineFeatureCache;
  const scorer: DelayScorer = {
    modelName: 'delay', modelVersion: '3',
    score: async (legs) => {
      scored.push(legs);
      return legs.map((l) => ({ pLate: l.leg.from.length / 10, delayP50Min: 1, delayP90Min: 2, topFeatures: [] }));
    },
  };
  return { reads, scored, features, scorer };
}

describe('DelayPredictor', () => {
  it('answers concurrent requests from one feature read per tenant and one scoring call', async () => {
    const f = fakes();
    const p = new DelayPredictor({ scorer: async () => f.scorer, features: f.features, maxWaitMs: 1, maxLegs: 100, now: () => 1_000_000 });
    const [a, b, c] = await Promise.all([
      p.predict({ tenant: 'acme', legs: [leg('ORD', 'JFK')] }),
      p.predict({ tenant: 'acme', legs: [leg('ATL', 'SEA'), leg('ORDX', 'JFK')] }),
      p.predict({ tenant: 'zeta', legs: [leg('ORD', 'JFK')] }),
    ]);
    expect(f.scored).toHaveLength(1);
    expect(f.scored[0]!.map((l) => l.leg.from)).toEqual(['ORD', 'ATL', 'ORDX', 'ORD']);
    expect(f.reads.map((r) => r.tenant).sort()).toEqual(['acme', 'zeta']);
    expect(a?.model).toEqual({ name: 'delay', version: '3' });
    expect(a?.at).toBe(1_000_000);
    expect(b?.scores.map((s) => s.pLate)).toEqual([0.3, 0.4]);
    expect(c?.scores).toHaveLength(1);
    // Inputs named <role>:<feature>, with their freshness.
    expect(a?.inputs[0]).toEqual({
      rolling: { 'origin:hub.x': 3, 'destination:hub.x': 3, 'lane:lane.x': 8, 'network:network.x': 7 },
      freshness: Object.fromEntries(['origin:hub.x', 'destination:hub.x', 'lane:lane.x', 'network:network.x'].map((k) => [k, { asOf: 999_000, lastEventAt: 995_000 }])),
    });
    expect(f.scored[0]![0]!.rolling).toBe(a?.inputs[0]?.rolling);
  });

  it('answers undefined while there is no champion, without reading features', async () => {
    const f = fakes();
    const p = new DelayPredictor({ scorer: async () => undefined, features: f.features, maxWaitMs: 0, maxLegs: 100 });
    expect(await p.predict({ tenant: 'acme', legs: [leg('A', 'B')] })).toBeUndefined();
    expect(f.reads).toHaveLength(0);
  });
});
