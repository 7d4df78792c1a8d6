import type { ChampionHolder } from '../../models/champion-holder';
import type { DelayModel } from '../../models/delay-model';
import type { LegExample } from '../../models/leg-example';
import type { DelayScore, DelayScorer, DelayScorerSource, FeatureContribution, LegToScore } from './delay-scorer';

export interface ChampionScorerOptions {
  holder: ChampionHolder<DelayModel>;
  /** Top contributing inputs to explain per leg (0: none, the scoring consumer's default for speed). */
  explainTop?: number;
}

/** The registry's champion (kept current by a ChampionWatcher) as a DelayScorer; none until one is promoted. */
export function championDelayScorer(o: ChampionScorerOptions): DelayScorerSource {
  return async () => {
    const held = o.holder.current();
    if (!held) return undefined;
    const scorer: DelayScorer = {
      modelName: o.holder.model,
      modelVersion: String(held.version),
      score: async (legs) => scoreWith(held.value, legs, o.explainTop ?? 0),
    };
    return scorer;
  };
}

const toExample = ({ leg, rolling }: LegToScore): LegExample => ({
  from: leg.from, to: leg.to, mode: leg.mode, plannedDeparture: leg.plannedDeparture, plannedArrival: leg.plannedArrival, rolling,
});

function scoreWith(model: DelayModel, legs: LegToScore[], explainTop: number): DelayScore[] {
  const examples = legs.map(toExample);
  const base = model.predict(examples);
  const top = explainTop > 0 ? occlusion(model, examples, base.pLate, explainTop) : legs.map(() => []);
  return legs.map((_, i) => ({ pLate: base.pLate[i]!, delayP50Min: base.p50Min[i]!, delayP90Min: base.p90Min[i]!, topFeatures: top[i]! }));
}

/**
 * Contribution of each rolling input by occlusion: P(late) with the input known minus P(late)
 * with it treated as missing (as the encoder does for an entity without history). All occluded
 * copies are scored in one batch.
 */
function occlusion(model: DelayModel, examples: LegExample[], pLate: Float32Array, top: number): FeatureContribution[][] {
  const copies: { leg: number; feature: string; example: LegExample }[] = [];
  examples.forEach((e, leg) => {
    for (const feature of model.rollingInputs) {
      if (e.rolling[feature] === null || e.rolling[feature] === undefined) continue;
      copies.push({ leg, feature, example: { ...e, rolling: { ...e.rolling, [feature]: null } } });
    }
  });
  const out: FeatureContribution[][] = examples.map(() => []);
  if (copies.length === 0) return out;
  const occluded = model.predict(copies.map((c) => c.example)).pLate;
  copies.forEach((c, i) => out[c.leg]!.push({ feature: c.feature, contribution: Math.round((pLate[c.leg]! - occluded[i]!) * 1e4) / 1e4 }));
  return out.map((list) => list.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).slice(0, top));
}
