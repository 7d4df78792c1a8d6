import type { EntityRef } from '../features/entity';
import type { FeatureVector } from '../features/feature-vector';
import type { OnlineFeatureCache } from '../features/online-feature-cache';
import type { ShipmentLeg } from '../features/shipment-leg';
import { legEntities, legRoles } from '../models/leg-entities';
import type { DelayScore, DelayScorerSource } from '../pipelines/scoring/delay-scorer';
import { legInputsOf, type LegInputs } from '../pipelines/scoring/leg-rolling-inputs';
import { MicroBatcher } from './micro-batcher';

export interface DelayPredictionRequest {
  tenant: string;
  legs: ShipmentLeg[];
}

export interface DelayPrediction {
  model: { name: string; version: string };
  /** The read time of the rolling inputs (epoch ms). */
  at: number;
  /** Per leg: its rolling inputs with their freshness, and its score. */
  inputs: LegInputs[];
  /** Per leg, per role (legRoles order): the feature vector its inputs come from. */
  vectors: (FeatureVector | undefined)[][];
  scores: DelayScore[];
}

export interface DelayPredictorOptions {
  scorer: DelayScorerSource;
  features: OnlineFeatureCache;
  /** Longest a request waits for others to share its batch (ms); 0: only those arriving in the same tick. */
  maxWaitMs: number;
  /** A batch starts once it holds this many legs. */
  maxLegs: number;
  now?: () => number;
}

/**
 * `POST /v1/predictions/delay` behind a micro-batcher: the requests arriving together share one
 * champion (the same version for all of them), one read of the online features of every hub,
 * lane and network they need (through the short-lived cache) and one scoring call. Undefined:
 * there is no champion.
 */
export class DelayPredictor {
  private readonly batcher: MicroBatcher<DelayPredictionRequest, DelayPrediction | undefined>;
  private readonly now: () => number;

  constructor(private readonly o: DelayPredictorOptions) {
    this.now = o.now ?? Date.now;
    this.batcher = new MicroBatcher({ run: (requests) => this.run(requests), maxWaitMs: o.maxWaitMs, maxBatch: o.maxLegs, weight: (r) => r.legs.length });
  }

  predict(request: DelayPredictionRequest): Promise<DelayPrediction | undefined> {
    return this.batcher.submit(request);
  }

  private async run(requests: DelayPredictionRequest[]): Promise<(DelayPrediction | undefined)[]> {
    const scorer = await this.o.scorer();
    if (!scorer) return requests.map(() => undefined);
    const at = this.now();
    const byTenant = new Map<string, DelayPredictionRequest[]>();
    for (const r of requests) {
      const list = byTenant.get(r.tenant);
      if (list) list.push(r);
      else byTenant.set(r.tenant, [r]);
    }
    const inputsOf = new Map<DelayPredictionRequest, LegInputs[]>();
    const vectorsOf = new Map<DelayPredictionRequest, (FeatureVector | undefined)[][]>();
    await Promise.all([...byTenant].map(async ([tenant, mine]) => {
      const entities: EntityRef[] = mine.flatMap((r) => r.legs.flatMap((leg) => Object.values(legEntities(leg))));
      const vectors = await this.o.features.get(tenant, entities, at);
      for (const r of mine) {
        const used = r.legs.map((leg) => legVectors(leg, vectors));
        vectorsOf.set(r, used);
        inputsOf.set(r, used.map(legInputsOf));
      }
    }));
    const all = requests.flatMap((r) => r.legs.map((leg, i) => ({ leg, rolling: (inputsOf.get(r) as LegInputs[])[i]!.rolling })));
    const scores = await scorer.score(all);
    let k = 0;
    return requests.map((r) => {
      const mine = scores.slice(k, (k += r.legs.length));
      return { model: { name: scorer.modelName, version: scorer.modelVersion }, at, inputs: inputsOf.get(r) as LegInputs[], vectors: vectorsOf.get(r) as (FeatureVector | undefined)[][], scores: mine };
    });
  }
}

/** The vectors of a leg's origin, destination, lane and the network (legRoles order). */
function legVectors(leg: ShipmentLeg, vectors: Map<string, FeatureVector>): (FeatureVector | undefined)[] {
  const roles = legEntities(leg);
  return legRoles.map((role) => vectors.get(`${roles[role].type}:${roles[role].id}`));
}
