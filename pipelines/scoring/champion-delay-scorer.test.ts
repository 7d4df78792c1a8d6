import pino from 'pino';
import { ChampionHolder } from '../../models/champion-holder';
import { DelayModel } from '../../models/delay-model';
import { delayArtifactFormat, encodeWeights, type DelayModelArtifact } from '../../models/delay-model-artifact';
import { initParams } from '../../models/delay-network';
import { fitEncoder } from '../../models/feature-encoder';
import type { LegExample } from '../../models/leg-example';
import { loadTensorflow } from '../../models/tf-backend';
import { championDelayScorer } from './champion-delay-scorer';
import type { LegToScore } from './delay-scorer';

const logger = pino({ level: 'silent' });
const rolling = ['origin:hub.arrivals_1h', 'origin:hub.arrival_delay_mean_3h', 'lane:lane.delay_mean_24h', 'network:network.delay_mean_1h'];

function legs(n: number): LegToScore[] {
  const hubs = ['ATL', 'ORD', 'DEN', 'SEA', 'JFK'];
  return Array.from({ length: n }, (_, i) => {
    const dep = Date.UTC(2001, 0, 1 + (i % 20), i % 24);
    return {
      leg: { shipmentId: `S${i}`, seq: 0, mode: 'air', from: hubs[i % 5] as string, to: hubs[(i * 3 + 1) % 5] as string, plannedDeparture: dep, plannedArrival: dep + (60 + i) * 60_000 },
      rolling: {
        [rolling[0] as string]: (i * 7) % 50,
        [rolling[1] as string]: i % 3 === 0 ? null : ((i * 11) % 60) - 10,
        [rolling[2] as string]: i % 7 === 0 ? Number.NaN : (i * 5) % 40,
        [rolling[3] as string]: i % 2 === 0 ? 12.5 : null,
      },
    };
  });
}

async function holder(): Promise<ChampionHolder<DelayModel>> {
  const { tf } = await loadTensorflow(logger);
  const examples: LegExample[] = legs(100).map(({ leg, rolling: r }) => ({ ...leg, rolling: r }));
  const encoder = fitEncoder(examples, { rolling, minCount: 3, maxLanes: 10 });
  const shape = { dense: encoder.columns.length, hubs: encoder.hubs.length, lanes: encoder.lanes.length, hubDim: 2, laneDim: 2, hidden: [12, 6] as [number, number] };
  const params = initParams(tf, shape, 5);
  params.wOut?.assign(tf.randomNormal([6, 3], 0, 1, 'float32', 9));
  const artifact: DelayModelArtifact = { format: delayArtifactFormat, lateThresholdMin: 15, delayScaleMin: 30, encoder, shape, weights: encodeWeights(params) };
  tf.dispose(Object.values(params));
  const h = new ChampionHolder<DelayModel>({ model: 'delay', logger, findChampion: async () => 4, load: async () => DelayModel.fromArtifact(tf, artifact), dispose: (m) => m.dispose() });
  await h.refresh();
  return h;
}

const toExample = ({ leg, rolling: r }: LegToScore): LegExample => ({ ...leg, rolling: r });

/** What TensorFlow.js says: P(late), p50, p90, and per input P(late) − P(late) with its two standardised columns at 0. */
function tfReference(model: DelayModel, input: LegToScore[]) {
  const batch = model.encode(input.map(toExample));
  const base = model.predictEncoded(batch);
  const columns = model.artifact.encoder.columns;
  const width = columns.length;
  const contributions = input.map(() => new Map<string, number>());
  for (const feature of model.rollingInputs) {
    const value = columns.findIndex((c) => c.name === feature);
    const flag = columns.findIndex((c) => c.name === `${feature}#missing`);
    const dense = Float32Array.from(batch.dense);
    for (let i = 0; i < batch.size; i++) dense[i * width + value] = dense[i * width + flag] = 0;
    const atMean = model.predictEncoded({ ...batch, dense }).pLate;
    input.forEach((_, i) => contributions[i]!.set(feature, base.pLate[i]! - atMean[i]!));
  }
  return { base, contributions };
}

describe('championDelayScorer', () => {
  it('answers what TensorFlow.js computes: P(late), p50/p90, and top features against each input at its training mean', async () => {
    const h = await holder();
    const scorer = await championDelayScorer({ holder: h, explainTop: 3 })();
    expect(scorer?.modelVersion).toBe('4');
    expect(scorer?.modelName).toBe('delay');
    const input = legs(80);
    const got = await scorer!.score(input);
    const { base, contributions } = tfReference(h.current()!.value, input);
    got.forEach((s, i) => {
      expect(s.pLate).toBeCloseTo(base.pLate[i]!, 5);
      expect(s.delayP50Min).toBeCloseTo(base.p50Min[i]!, 3);
      expect(s.delayP90Min).toBeCloseTo(base.p90Min[i]!, 3);
      expect(s.topFeatures).toHaveLength(3);
      const all = contributions[i]!;
      for (const f of s.topFeatures) expect(f.contribution).toBeCloseTo(all.get(f.feature)!, 3);
      // The three largest in absolute value, largest first (up to rounding at near ties).
      const magnitudes = s.topFeatures.map((f) => Math.abs(f.contribution));
      expect([...magnitudes].sort((a, b) => b - a)).toEqual(magnitudes);
      const left = [...all].filter(([feature]) => !s.topFeatures.some((f) => f.feature === feature));
      for (const [, c] of left) expect(Math.abs(c)).toBeLessThanOrEqual(magnitudes[2]! + 1e-3);
    });
    // Every input is explained, missing and non-finite ones too (missingness is information).
    const full = await (await championDelayScorer({ holder: h, explainTop: rolling.length })())!.score(input);
    full.forEach((s, i) => {
      expect(s.topFeatures.map((f) => f.feature).sort()).toEqual([...rolling].sort());
      for (const f of s.topFeatures) expect(f.contribution).toBeCloseTo(contributions[i]!.get(f.feature)!, 3);
    });
    const ofMissing = input.flatMap((l, i) => (l.rolling[rolling[1] as string] === null ? [full[i]!.topFeatures.find((f) => f.feature === rolling[1])!.contribution] : []));
    expect(ofMissing.length).toBeGreaterThan(0);
    expect(Math.max(...ofMissing.map(Math.abs))).toBeGreaterThan(0);
    // Without explanations: the same predictions, no top features; 80 and 32 legs go through TensorFlow.js, 31 and 3 do not.
    for (const some of [input, input.slice(0, 32), input.slice(0, 31), input.slice(0, 3)]) {
      const plain = await scorer!.score(some, { explain: false });
      plain.forEach((s, i) => {
        expect(s.pLate).toBeCloseTo(got[i]!.pLate, 6);
        expect(s.delayP90Min).toBeCloseTo(got[i]!.delayP90Min, 3);
        expect(s.topFeatures).toEqual([]);
      });
    }
    const unexplained = await (await championDelayScorer({ holder: h })())!.score(input.slice(0, 2));
    expect(unexplained.map((s) => s.topFeatures)).toEqual([[], []]);
    expect(unexplained[0]!.pLate).toBe(got[0]!.pLate);
    h.close();
  });

  it('has no scorer while no champion is held', async () => {
    const empty = new ChampionHolder<DelayModel>({ model: 'delay', logger, findChampion: async () => undefined, load: async () => { throw new Error('none'); } });
    expect(await championDelayScorer({ holder: empty, explainTop: 5 })()).toBeUndefined();
  });
});
