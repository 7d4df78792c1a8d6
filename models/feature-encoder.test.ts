import pino from 'pino';
import { DelayModel } from './delay-model';
import { delayArtifactFormat, encodeWeights, parseDelayArtifact, type DelayModelArtifact } from './delay-model-artifact';
import { initParams } from './delay-network';
import { encode, fitEncoder } from './feature-encoder';
import type { LegExample } from './leg-example';
import { loadTensorflow } from './tf-backend';

const rolling = ['origin:hub.departure_delay_mean_1h', 'lane:lane.count_24h'];

function leg(from: string, to: string, depIso: string, minutes: number, r: (number | null)[]): LegExample {
  const dep = Date.parse(depIso);
  return { from, to, mode: 'air', plannedDeparture: dep, plannedArrival: dep + minutes * 60_000, rolling: { [rolling[0] as string]: r[0] ?? null, [rolling[1] as string]: r[1] ?? null } };
}

const train = [
  leg('ATL', 'SAV', '2001-01-01T08:15:00Z', 60, [10, 4]),
  leg('ATL', 'SAV', '2001-01-02T09:00:00Z', 60, [null, 2]),
  leg('SAV', 'ATL', '2001-01-03T17:45:00Z', 62, [-3, 0]),
  leg('LAS', 'PHL', '2001-01-06T23:59:00Z', 300, [120, 1]),
];

describe('feature encoder', () => {
  const state = fitEncoder(train, { rolling, minCount: 2, maxLanes: 10 });

  it('keeps hubs and lanes seen often enough, most frequent first, and sends the rest to index 0', () => {
    expect(state.hubs).toEqual(['ATL', 'SAV']);
    expect(state.lanes).toEqual(['ATL->SAV']);
    const x = encode(state, [train[0] as LegExample, train[3] as LegExample]);
    expect([...x.origin]).toEqual([1, 0]);
    expect([...x.destination]).toEqual([2, 0]);
    expect([...x.lane]).toEqual([1, 0]);
  });

  it('standardises every dense column on the training data and flags missing rolling values', () => {
    const x = encode(state, train);
    const width = state.columns.length;
    state.columns.forEach((c, j) => {
      const col = Array.from({ length: train.length }, (_, i) => x.dense[i * width + j] as number);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      if (c.std !== 1) expect(col.reduce((a, b) => a + b * b, 0) / col.length).toBeCloseTo(1, 4);
    });
    const missing = state.columns.findIndex((c) => c.name === `${rolling[0]}#missing`);
    const raw = (i: number) => (x.dense[i * width + missing] as number) * (state.columns[missing]?.std as number) + (state.columns[missing]?.mean as number);
    expect([0, 1, 2, 3].map((i) => Math.round(raw(i)))).toEqual([0, 1, 0, 0]);
    const hour = (h: number) => state.columns.findIndex((c) => c.name === `hour_${h}`);
    const hourRaw = (i: number, h: number) => (x.dense[i * width + hour(h)] as number) * (state.columns[hour(h)]?.std as number) + (state.columns[hour(h)]?.mean as number);
    expect(Math.round(hourRaw(0, 8))).toBe(1);
    expect(Math.round(hourRaw(3, 23))).toBe(1);
  });

  it('round-trips through the artifact: same encoder state, same predictions', async () => {
    const { tf } = await loadTensorflow(pino({ level: 'silent' }));
    const shape = { dense: state.columns.length, hubs: state.hubs.length, lanes: state.lanes.length, hubDim: 3, laneDim: 2, hidden: [8, 4] as [number, number] };
    const params = initParams(tf, shape, 7);
    const artifact: DelayModelArtifact = { format: delayArtifactFormat, lateThresholdMin: 15, delayScaleMin: 30, encoder: state, shape, weights: encodeWeights(params) };
    const again = parseDelayArtifact(JSON.stringify(artifact));
    expect(again.encoder).toEqual(state);
    const a = DelayModel.fromArtifact(tf, artifact).predict(train);
    const b = DelayModel.fromArtifact(tf, again).predict(train);
    expect([...b.pLate]).toEqual([...a.pLate]);
    expect([...b.p90Min]).toEqual([...a.p90Min]);
    for (let i = 0; i < train.length; i++) expect(a.p90Min[i] as number).toBeGreaterThanOrEqual(a.p50Min[i] as number);
    tf.dispose(Object.values(params));
  });

  it('refuses an artifact of another format', () => {
    expect(() => parseDelayArtifact(JSON.stringify({ format: 'something-else' }))).toThrow();
  });
});
