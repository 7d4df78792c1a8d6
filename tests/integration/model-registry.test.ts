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
import knex from 'knex';
import { createDb, type Db } from '../../core/db';
import type { ArtifactStore } from '../../models/registry/artifact-store';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

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

  const register = async (a: DelayModelArtifact, auc: number, db = t.db, into: ArtifactStore = store) => registerVersion(db, {
    model: 'delay', tenant: 'flights', dataFrom: Date.UTC(2001, 0, 1), dataTo: Date.UTC(2001, 6, 1), features: a.encoder.rolling,
    hyperparameters: { epochs: 1 }, metrics: { auc }, store: into, artifact: Buffer.from(JSON.stringify(a)),
  });
  const pLate = async (db: Db, from: ArtifactStore, version?: number) => {
    const { tf } = await loadTensorflow(pino({ level: 'silent' }));
    return [...(await loadDelayModel(db, from, tf, 'delay', version)).model.predict(legs).pLate];
  };
  const direct = async (a: DelayModelArtifact) => [...DelayModel.fromArtifact((await loadTensorflow(pino({ level: 'silent' }))).tf, a).predict(legs).pLate];

  it('records versions as candidates with what they were trained on, and loads the champion to score', async () => {
    const a1 = await artifact(1);
    const v1 = await register(a1, 0.71);
    expect(v1).toMatchObject({ model: 'delay', version: 1, status: 'candidate', tenant: 'flights', features: ['origin:hub.departure_delay_mean_1h'], metrics: { auc: 0.71 } });
    expect(v1.dataFrom).toBe('2001-01-01T00:00:00.000Z');
    expect(v1.artifactUri).toMatch(/^file:.*delay\/v1-[0-9a-f]{16}\.json$/);
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
    await registerVersion(t.db, { model: 'eta', tenant: 't', dataFrom: 0, dataTo: 1, features: [], hyperparameters: {}, metrics: {}, store, artifact: Buffer.from('{}') });
    await promote(t.db, 'eta', 1);
    await expect(rollback(t.db, 'eta')).rejects.toThrow(/no earlier champion/);
  });

  it('keeps two databases\' v1 apart in one artifact folder, each loading its own model', async () => {
    const shared = localArtifactStore(mkdtempSync(path.join(tmpdir(), 'fc-shared-')));
    const [a, b] = await Promise.all([createTestDatabase('fc_registry_a'), createTestDatabase('fc_registry_b')]);
    try {
      const [artA, artB] = [await artifact(11), await artifact(12)];
      const [vA, vB] = [await register(artA, 0.7, a.db, shared), await register(artB, 0.7, b.db, shared)];
      expect([vA.version, vB.version]).toEqual([1, 1]);
      expect(vA.artifactUri).not.toBe(vB.artifactUri);
      await promote(a.db, 'delay', 1);
      await promote(b.db, 'delay', 1);
      expect(await pLate(a.db, shared)).toEqual(await direct(artA));
      expect(await pLate(b.db, shared)).toEqual(await direct(artB));
      expect(await direct(artA)).not.toEqual(await direct(artB));
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });

  it('keeps a copy of a database (CREATE DATABASE … TEMPLATE) and its original apart when both register the next version', async () => {
    const shared = localArtifactStore(mkdtempSync(path.join(tmpdir(), 'fc-copied-')));
    const admin = knex({ client: 'pg', connection: requireEnv('DATABASE_URL'), pool: { min: 0, max: 1 } });
    const original = await createTestDatabase('fc_registry_orig');
    const originalName = new URL(original.url).pathname.slice(1);
    const copyName = uniqueName('fc_registry_copy').toLowerCase();
    const copyUrl = new URL(original.url);
    copyUrl.pathname = `/${copyName}`;
    const opened: Db[] = [];
    try {
      const art1 = await artifact(21);
      await register(art1, 0.7, original.db, shared);
      await original.db.destroy(); // a template must have no session
      await admin.raw('CREATE DATABASE ?? TEMPLATE ??', [copyName, originalName]);
      const [dbO, dbC] = [createDb({ url: original.url, poolMax: 2 }), createDb({ url: copyUrl.toString(), poolMax: 2 })];
      opened.push(dbO, dbC);
      const [art2o, art2c] = [await artifact(22), await artifact(23)];
      const [v2o, v2c] = [await register(art2o, 0.7, dbO, shared), await register(art2c, 0.7, dbC, shared)];
      expect([v2o.version, v2c.version]).toEqual([2, 2]);
      expect(v2o.artifactUri).not.toBe(v2c.artifactUri);
      expect(await pLate(dbO, shared, 2)).toEqual(await direct(art2o));
      expect(await pLate(dbC, shared, 2)).toEqual(await direct(art2c));
      expect(await pLate(dbC, shared, 1)).toEqual(await direct(art1));
    } finally {
      await Promise.all(opened.map((db) => db.destroy()));
      for (const name of [originalName, copyName]) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.destroy();
    }
  });

  it('loads versions registered before keys carried a hash, and refuses an artifact overwritten under a hashed key', async () => {
    // A row as older code wrote it: the artifact at `delay/vN.json`.
    const old = await artifact(31);
    const legacyUri = await store.put('delay/v99.json', Buffer.from(JSON.stringify(old)));
    await t.db('model_versions').insert({
      model_name: 'delay', version: 99, tenant: 'flights', data_from: new Date(0), data_to: new Date(1), features: '[]', hyperparameters: '{}', metrics: '{}', artifact_uri: legacyUri,
    });
    expect(await pLate(t.db, store, 99)).toEqual(await direct(old));

    const v = await register(await artifact(32), 0.7);
    await store.put(`delay/${path.basename(new URL(v.artifactUri).pathname)}`, Buffer.from(JSON.stringify(await artifact(33))));
    await expect(pLate(t.db, store, v.version)).rejects.toThrow(/does not hold the bytes it was registered with/);
  });
});
