import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { rollbackChampion, promoteChampion } from '../../models/champion-change';
import { localArtifactStore } from '../../models/registry/local-artifact-store';
import { championOf, listVersions } from '../../models/registry/model-registry';
import { RetrainQueue } from '../../training/retrain-queue';
import { startRetrainWorker } from '../../training/retrain-worker';
import { findTrainingRun, finishedStatuses, type TrainingRun } from '../../training/store/training-runs';
import { trainInThread } from '../../training/train-in-thread';
import { shuffleOutcomesBefore, writePlantedLegs } from './support/planted-legs';
import { waitFor } from './support/spawn-flowcast';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const tenant = 'planted';
// Tiny and quick: 2,400 legs over 8 days, a few epochs of small batches (seconds).
const parameters = { hyperparameters: { epochs: 8, batchSize: 128, learningRate: 0.01, patience: 3 } };

describe('retrain queue and worker (real Redis, Postgres, TensorFlow.js in a thread)', () => {
  let t: TestDatabase;
  let redis: Redis;
  let queue: RetrainQueue;
  let worker: Worker;
  const prefix = uniqueName('fcq');
  const artifactsDir = mkdtempSync(path.join(tmpdir(), 'fc-retrain-'));
  let range: { from: number; to: number };

  beforeAll(async () => {
    t = await createTestDatabase('fc_retrain');
    range = await writePlantedLegs(t.db, { tenant, legs: 2400, days: 8, withEvents: true });
    redis = new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null });
    queue = new RetrainQueue({ connection: redis, prefix, attempts: 2, backoffMs: 100 });
    worker = startRetrainWorker({
      db: t.db, logger, redis, workerName: 'test-worker', connection: redis, prefix,
      store: localArtifactStore(artifactsDir), train: trainInThread, lockMs: 30_000, stalledCheckMs: 5_000,
      settings: {
        databaseUrl: t.url, logLevel: 'silent', artifacts: { MODEL_ARTIFACTS_DIR: artifactsDir }, lateThresholdMin: 15,
        holdoutMaxRows: 5000, margins: { minAucGain: 0.01, maxBrierLoss: 0 },
      },
    });
  });

  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    redis?.disconnect();
    await t?.drop();
  });

  /** Polls a run until it is finished, keeping every distinct progress seen on the way. */
  async function finished(runId: number): Promise<{ run: TrainingRun; seen: { percent: number; phase: string }[] }> {
    const seen: { percent: number; phase: string }[] = [];
    let run: TrainingRun | undefined;
    await waitFor(`run ${runId} to finish`, async () => {
      run = await findTrainingRun(t.db, runId);
      const p = run?.progress;
      if (p && run?.status === 'running' && seen.at(-1)?.phase !== p.phase) seen.push(p);
      return run !== undefined && finishedStatuses.includes(run.status);
    }, 240_000, 100);
    return { run: run as TrainingRun, seen };
  }

  it('enqueue → worker → a new version in the registry, promoted over no champion, with progress on the way', async () => {
    const first = await queue.request(t.db, { model: 'delay', tenant, trigger: 'cli', reason: 'first model', parameters });
    // One training at a time per model: a second request joins the first.
    const again = await queue.request(t.db, { model: 'delay', tenant, trigger: 'api', reason: 'again', parameters });
    expect(again).toMatchObject({ deduplicated: true, run: { id: first.run.id } });

    const { run, seen } = await finished(first.run.id);
    expect(run).toMatchObject({ status: 'promoted', version: 1, championBefore: null, championAfter: 1, trigger: 'cli', reason: 'first model', worker: 'test-worker', error: null });
    expect(run.decision).toMatch(/no champion: challenger AUC/);
    expect((run.challengerMetrics as { auc: number }).auc).toBeGreaterThan(0.75);
    expect(run.progress).toEqual({ percent: 100, phase: 'done' });
    expect(run.durationMs).toBeGreaterThan(0);
    expect(Date.parse(run.dataFrom as string)).toBe(range.from);
    // Progress was visible while it ran, in order, phase by phase.
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.map((s) => s.percent)).toEqual([...seen.map((s) => s.percent)].sort((a, b) => a - b));
    expect(seen.some((s) => /epoch/.test(s.phase))).toBe(true);

    const versions = await listVersions(t.db, 'delay');
    expect(versions.map((v) => [v.version, v.status])).toEqual([[1, 'champion']]);
    expect(versions[0]?.metrics).toMatchObject({ trainingRun: run.id, holdout: { auc: (run.challengerMetrics as { auc: number }).auc } });
    expect(versions[0]?.artifactUri).toContain(artifactsDir);
  });

  it('a challenger trained on shuffled labels is judged on the same holdout and stays a candidate', async () => {
    // Labels of the training part shuffled; the holdout (the latest quarter) keeps the truth.
    const shuffled = await shuffleOutcomesBefore(t.db, tenant, range.from + (range.to - range.from) * 0.75);
    expect(shuffled).toBeGreaterThan(1000);
    const { run: requested } = await queue.request(t.db, { model: 'delay', tenant, trigger: 'cli', reason: 'shuffled labels', parameters });
    const { run } = await finished(requested.id);
    expect(run).toMatchObject({ status: 'kept-candidate', version: 2, championBefore: 1, championAfter: 1 });
    const challenger = run.challengerMetrics as { auc: number; rows: number };
    const champion = run.championMetrics as { auc: number; rows: number };
    expect(challenger.rows).toBe(champion.rows);
    expect(champion.auc - challenger.auc).toBeGreaterThan(0.1);
    expect(run.decision).toMatch(/^not better on \d+ holdout legs: AUC/);
    expect((await championOf(t.db, 'delay'))?.version).toBe(1);
    expect((await listVersions(t.db, 'delay')).map((v) => [v.version, v.status])).toEqual([[2, 'candidate'], [1, 'champion']]);
  });

  it('manual promote, then rollback restores the previous champion, each announced on the champion channel', async () => {
    const sub = new Redis(requireEnv('REDIS_URL'));
    const notices: string[] = [];
    sub.on('message', (_c: string, m: string) => notices.push(m));
    await sub.subscribe('flowcast:champion');
    try {
      await promoteChampion({ db: t.db, redis, logger }, 'delay', 2, 'trying the candidate');
      expect((await championOf(t.db, 'delay'))?.version).toBe(2);
      const r = await rollbackChampion({ db: t.db, redis, logger }, 'delay', 'candidate misbehaves');
      expect([r.retired.version, r.restored.version]).toEqual([2, 1]);
      expect((await championOf(t.db, 'delay'))?.version).toBe(1);
      await waitFor('two notices', async () => notices.length >= 2, 5000);
      expect(notices.map((n) => JSON.parse(n) as unknown)).toEqual([{ model: 'delay', version: 2 }, { model: 'delay', version: 1 }]);
    } finally {
      sub.disconnect();
    }
  });

  it('records a failed run with its reason after its last try', async () => {
    // No labelled legs for this tenant: training cannot start, on every try.
    const { run: requested } = await queue.request(t.db, { model: 'delay', tenant: 'nobody', trigger: 'api', reason: 'empty tenant', parameters });
    const { run } = await finished(requested.id);
    expect(run).toMatchObject({ status: 'failed', attempts: 2, version: null });
    expect(run.error).toMatch(/no legs with a known arrival/);
  });
});
