import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { delayArtifactFormat, encodeWeights, type DelayModelArtifact } from '../../models/delay-model-artifact';
import { initParams } from '../../models/delay-network';
import { fitEncoder } from '../../models/feature-encoder';
import type { LegExample } from '../../models/leg-example';
import { localArtifactStore } from '../../models/registry/local-artifact-store';
import { loadDelayModel } from '../../models/registry/load-delay-model';
import { championOf, listVersions, promote, registerVersion, rollback } from '../../models/registry/model-registry';
import { DelayModel } from '../../models/delay-model';
import { loadTensorflow } from '../../models/tf-backend';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const legs: LegExample[] = [0, 1, 2, 3].map((i) => ({
  from: i % 2 ? 'ORD' : 'ATL', to: 'DEN', mode: 'air', plannedDeparture: Date.UTC(2001, 0, 1, 8 + i), plannedArrival: Date.UTC(2001, 0, 1, 11 + i),
  rolling: { 'origin:hub.departure_delay_mean_1h': i * 10 },
}));

describe('model registry', () => {
  let t: TestDatabase;
  const store = localArtifactStore(mkdtempSync(path.join(tmpdir(), 'fc-artifacts-')));
  beforeAll(async () => {
    t = await createTestDatabase('fc_registry');
  });
  afterAll(async () => {
    await t.drop();
  });

  async function artifact(seed: number): Promise<DelayModelArtifact> {
    const { tf } = await loadTensorflow(pino({ level: 'silent' }));
    const encoder = fitEncoder(legs, { rolling: ['origin:hub.departure_delay_mean_1h'], minCount: 1, maxLanes: 10 });
    const shape = { dense: encoder.columns.length, hubs: encoder.hubs.length, lanes: encoder.lanes.length, hubDim: 2, laneDim: 2, hidden: [4, 4] as [number, number] };
    const params = initParams(tf, shape, seed);
    const a: DelayModelArtifact = { format: delayArtifactFormat, lateThresholdMin: 15, delayScaleMin: 30, encoder, shape, weights: encodeWeights(params) };
    tf.dispose(Object.values(params));
    return a;
  }

  const register = async (a: DelayModelArtifact, auc: number) => registerVersion(t.db, {
    model: 'delay', tenant: 'flights', dataFrom: Date.UTC(2001, 0, 1), dataTo: Date.UTC(2001, 6, 1), features: a.encoder.rolling,
    hyperparameters: { epochs: 1 }, metrics: { auc }, writeArtifact: (v) => store.put(`delay/v${v}.json`, Buffer.from(JSON.stringify(a))),
  });

  it('records versions as candidates with what they were trained on, and loads the champion to score', async () => {
    const a1 = await artifact(1);
    const v1 = await register(a1, 0.71);
    expect(v1).toMatchObject({ model: 'delay', version: 1, status: 'candidate', tenant: 'flights', features: ['origin:hub.departure_delay_mean_1h'], metrics: { auc: 0.71 } });
    expect(v1.dataFrom).toBe('2001-01-01T00:00:00.000Z');
    expect(v1.artifactUri).toMatch(/^file:.*delay\/v1\.json$/);
    expect(await championOf(t.db, 'delay')).toBeUndefined();
    await expect(loadDelayModel(t.db, store, (await loadTensorflow(pino({ level: 'silent' }))).tf)).rejects.toThrow(/no champion/);

    await promote(t.db, 'delay', 1);
    const { tf } = await loadTensorflow(pino({ level: 'silent' }));
    const loaded = await loadDelayModel(t.db, store, tf);
    expect(loaded.version.version).toBe(1);
    const direct = DelayModel.fromArtifact(tf, a1);
    expect([...loaded.model.predict(legs).pLate]).toEqual([...direct.predict(legs).pLate]);
  });

  it('promotes a newer version (retiring the old champion) and rolls back to the one before', async () => {
    await register(await artifact(2), 0.74);
    await promote(t.db, 'delay', 2, 'better AUC');
    expect((await listVersions(t.db, 'delay')).map((v) => [v.version, v.status])).toEqual([[2, 'champion'], [1, 'retired']]);
    const r = await rollback(t.db, 'delay', 'v2 misbehaves');
    expect([r.retired.version, r.restored.version]).toEqual([2, 1]);
    expect((await championOf(t.db, 'delay'))?.version).toBe(1);
    const changes = await t.db('model_status_changes').orderBy('id').select('version', 'from_status', 'to_status', 'reason');
    expect(changes.at(-2)).toMatchObject({ version: 2, from_status: 'champion', to_status: 'retired', reason: 'v2 misbehaves' });
  });

  it('gives concurrent registrations consecutive versions', async () => {
    const a = await artifact(3);
    const made = await Promise.all([register(a, 0.7), register(a, 0.7), register(a, 0.7)]);
    expect(made.map((v) => v.version).sort()).toEqual([3, 4, 5]);
  });

  it('refuses a rollback with no earlier champion', async () => {
    await registerVersion(t.db, { model: 'eta', tenant: 't', dataFrom: 0, dataTo: 1, features: [], hyperparameters: {}, metrics: {}, writeArtifact: async () => 'file:///nowhere' });
    await promote(t.db, 'eta', 1);
    await expect(rollback(t.db, 'eta')).rejects.toThrow(/no earlier champion/);
  });
});
