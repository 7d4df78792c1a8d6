import pino from 'pino';
import { DelayModel } from '../models/delay-model';
import { delayArtifactFormat, encodeWeights } from '../models/delay-model-artifact';
import { encode, fitEncoder } from '../models/feature-encoder';
import type { LegExample } from '../models/leg-example';
import { loadTensorflow } from '../models/tf-backend';
import { fitDelayNetwork } from './fit-delay-network';
import { rocAuc } from './metrics/roc';
import { mulberry32 } from './seeded-random';

const congestion = 'origin:hub.departure_delay_mean_1h';

/**
 * Planted pattern: legs out of hub H3 are late, and so are legs whose origin is congested
 * (mean departure delay over 40 min); 5% of labels are flipped at random. Delays: 45 min
 * when late, 0 otherwise, plus noise.
 */
function plantedLegs(n: number, seed: number): { examples: LegExample[]; delay: number[] } {
  const rnd = mulberry32(seed);
  const examples: LegExample[] = [];
  const delay: number[] = [];
  for (let i = 0; i < n; i++) {
    const from = `H${Math.floor(rnd() * 6)}`;
    const to = `H${Math.floor(rnd() * 6)}`;
    const dep = Date.UTC(2024, 0, 1) + Math.floor(rnd() * 90 * 24) * 3_600_000;
    const c = rnd() * 80;
    let late = from === 'H3' || c > 40;
    if (rnd() < 0.05) late = !late;
    examples.push({ from, to, mode: 'road', plannedDeparture: dep, plannedArrival: dep + 120 * 60_000, rolling: { [congestion]: c } });
    delay.push((late ? 45 : 0) + (rnd() - 0.5) * 10);
  }
  return { examples, delay };
}

describe('delay network', () => {
  it('learns a planted pattern: held-out AUC near the ceiling the label noise allows', async () => {
    const { tf } = await loadTensorflow(pino({ level: 'silent' }));
    const train = plantedLegs(6000, 1);
    const valid = plantedLegs(1500, 2);
    const test = plantedLegs(2000, 3);
    const state = fitEncoder(train.examples, { rolling: [congestion], minCount: 1, maxLanes: 100 });
    const labels = (d: number[]) => ({ late: Float32Array.from(d, (x) => (x > 15 ? 1 : 0)), delayScaled: Float32Array.from(d, (x) => x / 30) });
    const shape = { dense: state.columns.length, hubs: state.hubs.length, lanes: state.lanes.length, hubDim: 4, laneDim: 4, hidden: [32, 16] as [number, number] };
    const fit = await fitDelayNetwork(tf, encode(state, train.examples), labels(train.delay), encode(state, valid.examples), labels(valid.delay), {
      shape, epochs: 25, batchSize: 256, learningRate: 0.01, quantileWeight: 0.5, seed: 5, patience: 5,
    });
    const model = DelayModel.fromArtifact(tf, { format: delayArtifactFormat, lateThresholdMin: 15, delayScaleMin: 30, encoder: state, shape, weights: encodeWeights(fit.params) });
    tf.dispose(Object.values(fit.params));
    const p = model.predict(test.examples);
    const y = labels(test.delay).late;
    // 5% flipped labels cap the AUC near 0.95; a model that missed either rule would sit far below.
    expect(rocAuc(y, p.pLate)).toBeGreaterThan(0.9);
    const h3 = test.examples.findIndex((e) => e.from === 'H3' && (e.rolling[congestion] as number) < 30);
    const calm = test.examples.findIndex((e) => e.from !== 'H3' && (e.rolling[congestion] as number) < 30);
    expect(p.pLate[h3] as number).toBeGreaterThan(0.7);
    expect(p.pLate[calm] as number).toBeLessThan(0.3);
    // The median delay follows the same rule; the validation loss picked an epoch.
    expect(p.p50Min[h3] as number).toBeGreaterThan(30);
    expect(p.p50Min[calm] as number).toBeLessThan(15);
    expect(fit.bestEpoch).toBeGreaterThan(0);
    model.dispose();
  });
});
