import pino from 'pino';
import { DelayModel } from './delay-model';
import { delayArtifactFormat, encodeWeights, type DelayModelArtifact } from './delay-model-artifact';
import { initParams } from './delay-network';
import { fitEncoder } from './feature-encoder';
import type { LegExample } from './leg-example';
import { PlainDelayNetwork } from './plain-delay-network';
import { loadTensorflow } from './tf-backend';

const rolling = ['origin:hub.arrivals_1h', 'lane:lane.delay_mean_24h', 'network:network.delay_mean_1h'];

function legs(n: number): LegExample[] {
  const hubs = ['ATL', 'ORD', 'DEN', 'SEA', 'JFK', 'ZZZ'];
  return Array.from({ length: n }, (_, i) => {
    const dep = Date.UTC(2001, i % 6, 1 + (i % 27), i % 24, (i * 7) % 60);
    return {
      from: hubs[i % hubs.length] as string, to: hubs[(i * 5 + 1) % hubs.length] as string, mode: (['air', 'road', 'rail'] as const)[i % 3] ?? 'air',
      plannedDeparture: dep, plannedArrival: dep + (40 + (i % 11) * 17) * 60_000,
      // Some inputs missing, some negative, one not finite (the encoder treats it as missing).
      rolling: {
        [rolling[0] as string]: i % 4 === 0 ? null : (i * 13) % 90,
        [rolling[1] as string]: i % 5 === 0 ? null : ((i * 29) % 70) - 20,
        [rolling[2] as string]: i % 9 === 0 ? Number.NaN : ((i * 3) % 40) - 5,
      },
    };
  });
}

async function model(seed: number): Promise<DelayModel> {
  const { tf } = await loadTensorflow(pino({ level: 'silent' }));
  const train = legs(200);
  const encoder = fitEncoder(train, { rolling, minCount: 5, maxLanes: 8 });
  const shape = { dense: encoder.columns.length, hubs: encoder.hubs.length, lanes: encoder.lanes.length, hubDim: 3, laneDim: 2, hidden: [16, 8] as [number, number] };
  const params = initParams(tf, shape, seed);
  // Biases away from zero, so the test covers them too.
  params.b1?.assign(tf.randomNormal([16], 0, 0.3, 'float32', seed + 10));
  params.b2?.assign(tf.randomNormal([8], 0, 0.3, 'float32', seed + 11));
  params.bOut?.assign(tf.randomNormal([3], 0, 0.3, 'float32', seed + 12));
  params.wOut?.assign(tf.randomNormal([8, 3], 0, 1, 'float32', seed + 13));
  const artifact: DelayModelArtifact = { format: delayArtifactFormat, lateThresholdMin: 15, delayScaleMin: 30, encoder, shape, weights: encodeWeights(params) };
  tf.dispose(Object.values(params));
  return DelayModel.fromArtifact(tf, artifact);
}

describe('PlainDelayNetwork', () => {
  it('predicts what the TensorFlow.js model predicts (known and unknown hubs and lanes, missing inputs)', async () => {
    for (const seed of [1, 2]) {
      const m = await model(seed);
      const examples = legs(300);
      const expected = m.predict(examples);
      const actual = new PlainDelayNetwork(m.artifact).predict(m.encode(examples));
      for (let i = 0; i < examples.length; i++) {
        expect(actual.pLate[i]).toBeCloseTo(expected.pLate[i] as number, 5);
        expect(actual.p50Min[i]).toBeCloseTo(expected.p50Min[i] as number, 3);
        expect(actual.p90Min[i]).toBeCloseTo(expected.p90Min[i] as number, 3);
      }
      m.dispose();
    }
  });

  it('sets each rolling input to its training mean as a full TensorFlow.js forward pass with its two standardised columns at 0 would', async () => {
    const m = await model(3);
    const examples = legs(120);
    const batch = m.encode(examples);
    const { predictions, occlusion } = new PlainDelayNetwork(m.artifact).predictWithOcclusion(batch);
    expect(occlusion.rolling).toEqual(rolling);
    expect(Array.from(predictions.pLate)).toEqual(Array.from(new PlainDelayNetwork(m.artifact).predict(m.encode(examples)).pLate));
    const width = m.artifact.encoder.columns.length;
    rolling.forEach((name, k) => {
      const value = m.artifact.encoder.columns.findIndex((c) => c.name === name);
      const flag = m.artifact.encoder.columns.findIndex((c) => c.name === `${name}#missing`);
      expect([value, flag].every((c) => c >= 0)).toBe(true);
      const dense = Float32Array.from(batch.dense);
      for (let i = 0; i < batch.size; i++) dense[i * width + value] = dense[i * width + flag] = 0;
      const full = m.predictEncoded({ ...batch, dense }).pLate;
      // Every input, missing ones too (missingness can be informative).
      examples.forEach((_, i) => expect(occlusion.pLate[i * rolling.length + k] as number).toBeCloseTo(full[i] as number, 5));
    });
    // Missing inputs do move P(late) from their baseline.
    const missing = examples.findIndex((e) => e.rolling[rolling[0] as string] === null);
    expect(occlusion.pLate[missing * rolling.length]).not.toBeCloseTo(predictions.pLate[missing] as number, 6);
    m.dispose();
  });
});
