import pino from 'pino';
import { ChampionHolder } from '../models/champion-holder';
import { DelayModel } from '../models/delay-model';
import { delayArtifactFormat, encodeWeights, type DelayModelArtifact } from '../models/delay-model-artifact';
import { initParams } from '../models/delay-network';
import { fitEncoder } from '../models/feature-encoder';
import type { LegExample } from '../models/leg-example';
import { loadTensorflow } from '../models/tf-backend';
import { championDelayScorer } from '../pipelines/scoring/champion-delay-scorer';
import type { LegToScore } from '../pipelines/scoring/delay-scorer';
import { plainChampionScorer } from './plain-champion-scorer';

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

describe('plainChampionScorer', () => {
  it('answers what the TensorFlow.js champion scorer answers: P(late), p50/p90 and the same top features', async () => {
    const h = await holder();
    const plain = await plainChampionScorer({ holder: h, explainTop: 3 })();
    const tf = await championDelayScorer({ holder: h, explainTop: 3 })();
    expect(plain?.modelVersion).toBe('4');
    expect(plain?.modelName).toBe('delay');
    const input = legs(60);
    const a = await plain!.score(input);
    const b = await tf!.score(input);
    a.forEach((s, i) => {
      const t = b[i]!;
      expect(s.pLate).toBeCloseTo(t.pLate, 5);
      expect(s.delayP50Min).toBeCloseTo(t.delayP50Min, 3);
      expect(s.delayP90Min).toBeCloseTo(t.delayP90Min, 3);
      expect(s.topFeatures.map((f) => f.feature)).toEqual(t.topFeatures.map((f) => f.feature));
      s.topFeatures.forEach((f, k) => expect(f.contribution).toBeCloseTo(t.topFeatures[k]!.contribution, 3));
    });
    // Some legs have a non-finite input: it is listed (contribution 0) as the occlusion of the original lists it.
    expect(a.some((s) => s.topFeatures.some((f) => f.contribution === 0))).toBe(true);
    const unexplained = await (await plainChampionScorer({ holder: h, explainTop: 0 })())!.score(input.slice(0, 2));
    expect(unexplained.map((s) => s.topFeatures)).toEqual([[], []]);
    expect(unexplained[0]!.pLate).toBe(a[0]!.pLate);
    h.close();
  });

  it('has no scorer while no champion is held', async () => {
    const empty = new ChampionHolder<DelayModel>({ model: 'delay', logger, findChampion: async () => undefined, load: async () => { throw new Error('none'); } });
    expect(await plainChampionScorer({ holder: empty, explainTop: 5 })()).toBeUndefined();
  });
});
