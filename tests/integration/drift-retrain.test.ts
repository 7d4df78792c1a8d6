import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { delayFeatureCatalog } from '../../models/delay-feature-catalog';
import { localArtifactStore } from '../../models/registry/local-artifact-store';
import { loadDelayModel } from '../../models/registry/load-delay-model';
import { loadTensorflow } from '../../models/tf-backend';
import { buildDelayDataset } from '../../training/build-delay-dataset';
import type { DriftThresholds } from '../../training/drift-check';
import type { DriftReference } from '../../training/drift-reference';
import { checkDriftAndRetrain } from '../../training/drift-retrain';
import { encodeRange } from '../../training/encode-dataset';
import { RetrainQueue, retrainJobId } from '../../training/retrain-queue';
import { startRetrainWorker } from '../../training/retrain-worker';
import { mulberry32 } from '../../training/seeded-random';
import { findTrainingRun, findVersionReference, finishedStatuses } from '../../training/store/training-runs';
import { trainInThread } from '../../training/train-in-thread';
import { writePlantedLegs } from './support/planted-legs';
import { waitFor } from './support/spawn-flowcast';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

const logger = pino({ level: 'silent' });
const tenant = 'planted';
const day = 86_400_000;

/**
 * The champion's recent predictions are compared with the reference distributions its retrain
 * kept: predictions like its holdout are left alone; a shifted feature, or live outcomes it
 * no longer ranks, enqueue a retrain whose reason says what drifted.
 */
describe('drift checks enqueue retrains with their reason', () => {
  let t: TestDatabase;
  let redis: Redis;
  let queue: RetrainQueue;
  let worker: Worker;
  let range: { from: number; to: number };
  let reference: DriftReference;
  let thresholds: DriftThresholds;
  const random = mulberry32(3);
  const dir = mkdtempSync(path.join(tmpdir(), 'fc-drift-'));

  beforeAll(async () => {
    t = await createTestDatabase('fc_drift');
    range = await writePlantedLegs(t.db, { tenant, legs: 2400, days: 8, withEvents: true });
    redis = new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null });
    const prefix = uniqueName('fcq');
    queue = new RetrainQueue({ connection: redis, prefix, attempts: 1, backoffMs: 100 });
    worker = startRetrainWorker({
      db: t.db, logger, redis, workerName: 'drift-test', connection: redis, prefix, store: localArtifactStore(dir), train: trainInThread, lockMs: 30_000, stalledCheckMs: 5_000,
      settings: { databaseUrl: t.url, logLevel: 'silent', artifacts: { MODEL_ARTIFACTS_DIR: dir }, lateThresholdMin: 15, holdoutMaxRows: 5000, margins: { minAucGain: 0.01, maxBrierLoss: 0 } },
    });
    const { run } = await queue.request(t.db, { model: 'delay', tenant, trigger: 'cli', reason: 'champion for drift', parameters: { hyperparameters: { epochs: 8, batchSize: 128, learningRate: 0.01 } } });
    await waitFor('the champion', async () => finishedStatuses.includes((await findTrainingRun(t.db, run.id))?.status ?? 'queued'), 240_000, 100);
    // The worker's job is done: later requests stay queued, where the test can see them.
    await worker.close();
    reference = (await findVersionReference(t.db, 'delay', 1))?.reference as DriftReference;
    thresholds = { windowMs: 2 * day, minPredictions: 300, psi: 0.25, minOutcomes: 200, maxAucDrop: 0.05, maxBrierRise: 0.03, lateThresholdMin: 15 };
  });

  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    redis?.disconnect();
    await t?.drop();
  });

  /**
   * Predictions as the scoring consumer stores them, for the legs of the last two days, with
   * their point-in-time features and, unless told otherwise, the champion's own P(late).
   */
  async function storePredictions(o: { shift?: (name: string, v: number | null) => number | null; pLate?: (late: boolean) => number }): Promise<void> {
    await t.db('predictions').delete();
    const ds = await buildDelayDataset({ db: t.db, tenant, catalog: delayFeatureCatalog, from: range.to - 2 * day, to: range.to });
    const { model } = await loadDelayModel(t.db, localArtifactStore(dir), (await loadTensorflow(logger)).tf);
    const champion = model.predictEncoded(encodeRange(model.artifact.encoder, ds, [0, ds.size])).pLate;
    model.dispose();
    const w = ds.rollingNames.length;
    const rows = Array.from({ length: ds.size }, (_, i) => {
      const features: Record<string, number | null> = {};
      ds.rollingNames.forEach((name, j) => {
        const v = ds.rolling[i * w + j] as number;
        features[name] = o.shift ? o.shift(name, Number.isNaN(v) ? null : v) : Number.isNaN(v) ? null : v;
      });
      const dep = ds.plannedDeparture[i] as number;
      return {
        tenant, shipment_id: `${tenant}-x`, leg_seq: 0, predicted_at: new Date(dep), p_late: o.pLate ? o.pLate((ds.delayMin[i] as number) > 15) : (champion[i] as number),
        model_version: '1', features: JSON.stringify(features),
      };
    });
    // The real shipment ids, so outcomes join: find them by planned departure.
    const ids = (await t.db('shipment_legs').where({ tenant }).where('planned_departure', '>=', new Date(range.to - 2 * day)).orderBy([{ column: 'planned_departure' }, { column: 'shipment_id' }]).pluck('shipment_id')) as string[];
    rows.forEach((r, i) => (r.shipment_id = ids[i] as string));
    await t.db.batchInsert('predictions', rows, 500);
  }

  const now = () => new Date(range.to + 3_600_000);

  it('leaves a champion alone whose recent inputs and outcomes look like its holdout', async () => {
    await storePredictions({});
    const r = await checkDriftAndRetrain(t.db, queue, { model: 'delay', tenant, thresholds, now: now() });
    expect(r.check.predictions).toBeGreaterThan(300);
    expect(Object.keys(r.check.featurePsi).length).toBeGreaterThan(0);
    expect(Math.max(...Object.values(r.check.featurePsi))).toBeLessThan(0.25);
    expect(r.check).toMatchObject({ drifted: false, reasons: [], version: 1 });
    expect(r.runId).toBeNull();
    expect(await t.db('drift_checks').where({ id: r.checkId }).first()).toMatchObject({ drifted: false, run_id: null });
  });

  it('enqueues a retrain naming the feature whose distribution moved', async () => {
    // The feature with the richest reference, moved far above anything seen in training.
    const [name] = Object.entries(reference.features).sort((a, b) => b[1].edges.length - a[1].edges.length)[0] as [string, unknown];
    await storePredictions({ shift: (n, v) => (n === name ? (v ?? 0) * 10 + 1000 : v) });
    const r = await checkDriftAndRetrain(t.db, queue, { model: 'delay', tenant, thresholds, now: now() });
    expect(r.check.drifted).toBe(true);
    expect(r.check.featurePsi[name]).toBeGreaterThan(1);
    // That feature, and no other, is named.
    expect(r.check.reasons.filter((x) => x.startsWith('feature '))).toEqual([expect.stringMatching(/: PSI [\d.]+ > 0\.25$/)]);
    expect(r.check.reasons[0]).toContain(`feature ${name}: PSI`);
    const run = await findTrainingRun(t.db, r.runId as number);
    expect(run).toMatchObject({ status: 'queued', trigger: 'drift', model: 'delay' });
    expect(run?.reason).toContain(`drift of version 1: feature ${name}: PSI`);
    expect(await queue.queue.getJob(retrainJobId('delay'))).toMatchObject({ data: { runId: r.runId } });
    expect(await t.db('drift_checks').where({ id: r.checkId }).first()).toMatchObject({ drifted: true, run_id: r.runId });
  });

  it('once outcomes arrive, a champion that no longer ranks them is drifted by live AUC', async () => {
    await queue.queue.obliterate({ force: true });
    await storePredictions({ pLate: () => 0.2 + random() * 0.6 });
    const r = await checkDriftAndRetrain(t.db, queue, { model: 'delay', tenant, thresholds, now: now() });
    expect(r.check.outcomes).toBeGreaterThan(200);
    expect(r.check.liveAuc).toBeLessThan(0.6);
    expect(r.check.reasons.some((x) => /^live AUC [\d.]+ < holdout AUC/.test(x))).toBe(true);
    expect((await findTrainingRun(t.db, r.runId as number))?.reason).toMatch(/live AUC/);
  });
});
