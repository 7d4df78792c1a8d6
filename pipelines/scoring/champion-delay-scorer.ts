import type { ChampionHolder } from '../../models/champion-holder';
import type { DelayModel } from '../../models/delay-model';
import type { LegExample } from '../../models/leg-example';
import { PlainDelayNetwork, type Occlusion } from '../../models/plain-delay-network';
import type { DelayScore, DelayScorer, DelayScorerSource, FeatureContribution, LegToScore } from './delay-scorer';

export interface ChampionScorerOptions {
  holder: ChampionHolder<DelayModel>;
  /** Top contributing inputs to explain per leg (0: none, the default). */
  explainTop?: number;
}

/**
 * The registry's champion (kept current by a ChampionWatcher) as a DelayScorer, for the scoring
 * consumer and the prediction API alike; none until one is promoted. A few legs are evaluated in
 * plain JavaScript on the artifact's weights (models/plain-delay-network.ts, held equal to
 * TensorFlow.js by unit tests), so a leg costs microseconds, not a TensorFlow.js call; larger
 * unexplained batches go through TensorFlow.js (tensorBatchFrom).
 *
 * Top features: for every rolling input the model reads, P(late) minus P(late) with that input
 * at its training mean (both standardised columns, value and missing flag, at 0), rounded to
 * 1e-4, largest in absolute value first. A missing input is explained too: being missing is
 * itself information the model uses. `score(legs, { explain: false })` explains none (the scoring
 * consumer explains a leg only when its alert opens).
 */
export function championDelayScorer(o: ChampionScorerOptions): DelayScorerSource {
  const networks = new WeakMap<DelayModel, PlainDelayNetwork>();
  const explainTop = o.explainTop ?? 0;
  return async () => {
    const held = o.holder.current();
    if (!held) return undefined;
    const model = held.value;
    let network = networks.get(model);
    if (!network) networks.set(model, (network = new PlainDelayNetwork(model.artifact)));
    const net = network;
    const scorer: DelayScorer = {
      modelName: o.holder.model,
      modelVersion: String(held.version),
      score: async (legs, options) => scoreWith(model, net, legs, options?.explain === false ? 0 : explainTop),
    };
    return scorer;
  };
}

const toExample = ({ leg, rolling }: LegToScore): LegExample => ({
  from: leg.from, to: leg.to, mode: leg.mode, plannedDeparture: leg.plannedDeparture, plannedArrival: leg.plannedArrival, rolling,
});

/**
 * Legs scored without explanation (the scoring consumer's batches) go through the model's own
 * TensorFlow.js forward pass (WebAssembly with SIMD) from this many on: on the Intel benchmark
 * machine 0.23 ms against 0.34 ms in plain loops for 32 legs, 0.9 against 2.3 for 150; for one
 * leg the plain loops take 0.015 ms against 0.17. Explained legs (the prediction API) always take
 * the plain loops, whose occlusion reuses the first layer.
 */
const tensorBatchFrom = 32;

function scoreWith(model: DelayModel, network: PlainDelayNetwork, legs: LegToScore[], explainTop: number): DelayScore[] {
  const batch = model.encode(legs.map(toExample));
  if (explainTop > 0) {
    const { predictions: p, occlusion } = network.predictWithOcclusion(batch);
    return legs.map((_, i) => ({ pLate: p.pLate[i]!, delayP50Min: p.p50Min[i]!, delayP90Min: p.p90Min[i]!, topFeatures: topOf(p.pLate[i]!, occlusion, i, explainTop) }));
  }
  const p = batch.size >= tensorBatchFrom ? model.predictEncoded(batch) : network.predict(batch);
  return legs.map((_, i) => ({ pLate: p.pLate[i]!, delayP50Min: p.p50Min[i]!, delayP90Min: p.p90Min[i]!, topFeatures: [] }));
}

/** Row i's contributions, rounded to 1e-4, the `top` largest in absolute value first. */
function topOf(pLate: number, occlusion: Occlusion, i: number, top: number): FeatureContribution[] {
  const r = occlusion.rolling.length;
  const all: FeatureContribution[] = occlusion.rolling.map((feature, k) => ({
    feature,
    contribution: Math.round((pLate - occlusion.pLate[i * r + k]!) * 1e4) / 1e4,
  }));
  all.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return all.slice(0, top);
}
