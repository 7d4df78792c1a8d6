import type { ChampionHolder } from '../models/champion-holder';
import type { DelayModel } from '../models/delay-model';
import type { LegExample } from '../models/leg-example';
import { PlainDelayNetwork } from '../models/plain-delay-network';
import type { DelayScore, DelayScorer, DelayScorerSource, FeatureContribution, LegToScore } from '../pipelines/scoring/delay-scorer';

export interface PlainChampionScorerOptions {
  holder: ChampionHolder<DelayModel>;
  /** Top contributing inputs to explain per leg (0: none). */
  explainTop: number;
}

/**
 * The registry's champion as the prediction API scores it: the same network and the same
 * occlusion explanation as pipelines/scoring/champion-delay-scorer.ts (P(late) with the input
 * known minus with it missing, rounded to 1e-4, largest first), evaluated in plain JavaScript
 * (models/plain-delay-network.ts) so a single leg costs microseconds, not a TensorFlow.js call.
 */
export function plainChampionScorer(o: PlainChampionScorerOptions): DelayScorerSource {
  const networks = new WeakMap<DelayModel, PlainDelayNetwork>();
  return async () => {
    const held = o.holder.current();
    if (!held) return undefined;
    let network = networks.get(held.value);
    if (!network) networks.set(held.value, (network = new PlainDelayNetwork(held.value.artifact)));
    const model = held.value;
    const net = network;
    const scorer: DelayScorer = {
      modelName: o.holder.model,
      modelVersion: String(held.version),
      score: async (legs) => scoreWith(model, net, legs, o.explainTop),
    };
    return scorer;
  };
}

const toExample = ({ leg, rolling }: LegToScore): LegExample => ({
  from: leg.from, to: leg.to, mode: leg.mode, plannedDeparture: leg.plannedDeparture, plannedArrival: leg.plannedArrival, rolling,
});

function scoreWith(model: DelayModel, network: PlainDelayNetwork, legs: LegToScore[], explainTop: number): DelayScore[] {
  const batch = model.encode(legs.map(toExample));
  if (explainTop <= 0) {
    const p = network.predict(batch);
    return legs.map((_, i) => ({ pLate: p.pLate[i]!, delayP50Min: p.p50Min[i]!, delayP90Min: p.p90Min[i]!, topFeatures: [] }));
  }
  const { predictions: p, occlusion } = network.predictWithOcclusion(batch);
  const r = occlusion.rolling.length;
  return legs.map(({ rolling }, i) => {
    const pLate = p.pLate[i]!;
    const top: FeatureContribution[] = [];
    occlusion.rolling.forEach((feature, k) => {
      const value = rolling[feature];
      if (value === null || value === undefined) return;
      const occluded = occlusion.pLate[i * r + k]!;
      // An input the encoder already read as missing (not finite) moves nothing.
      top.push({ feature, contribution: Number.isNaN(occluded) ? 0 : Math.round((pLate - occluded) * 1e4) / 1e4 });
    });
    top.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return { pLate, delayP50Min: p.p50Min[i]!, delayP90Min: p.p90Min[i]!, topFeatures: top.slice(0, explainTop) };
  });
}
