import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { championOf } from '../../models/registry/model-registry';
import { findTrainingRun, finishedStatuses, type TrainingRun } from '../../training/store/training-runs';
import { writePlantedLegs } from './support/planted-legs';
import { spawnFlowcast, waitFor, type RunningCommand } from './support/spawn-flowcast';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

/**
 * `flowcast worker` processes (from dist/) sharing one queue: the first is killed with SIGKILL in
 * the middle of a training; the job's lock runs out, the second worker's stalled check takes the
 * job back and it finishes there.
 */
describe('a retrain worker killed mid-job', () => {
  let t: TestDatabase;
  const running: RunningCommand[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase('fc_retrain_crash');
    await writePlantedLegs(t.db, { tenant: 'planted', legs: 2400, days: 8 });
    env = {
      DATABASE_URL: t.url, REDIS_URL: requireEnv('REDIS_URL'), RETRAIN_QUEUE_PREFIX: uniqueName('fcq'), RETRAIN_TENANT: 'planted',
      MODEL_ARTIFACTS_DIR: mkdtempSync(path.join(tmpdir(), 'fc-crash-')), RETRAIN_LOCK_MS: '3000', RETRAIN_STALLED_CHECK_MS: '1000',
      RETRAIN_BACKOFF_MS: '200', SHUTDOWN_TIMEOUT_MS: '5000',
    };
  });

  afterAll(async () => {
    for (const r of running) {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
      await r.exited;
    }
    await t?.drop();
  });

  const start = (args: string[]) => {
    const r = spawnFlowcast(args, env);
    running.push(r);
    return r;
  };

  it('is retried and finished by another worker', async () => {
    const first = start(['worker', '--no-triggers']);
    await waitFor('the first worker', async () => first.stderr().includes('retrain worker started'), 60_000);
    // Many epochs, so the training is still going when the worker dies.
    const enqueue = start(['retrain', 'delay', '--epochs', '60', '--json']);
    expect(await enqueue.exited).toBe(0);
    let run: TrainingRun | undefined;
    await waitFor('the training to be in its epochs', async () => {
      run = await findTrainingRun(t.db, 1);
      return run?.status === 'running' && /epoch/.test(run.progress.phase);
    }, 120_000, 50);
    expect(run?.worker).toBe(`${hostname()}-${first.child.pid}`);
    const percentAtKill = run?.progress.percent ?? 0;

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const second = start(['worker', '--no-triggers']);

    await waitFor('the run to finish', async () => {
      run = await findTrainingRun(t.db, 1);
      return run !== undefined && finishedStatuses.includes(run.status);
    }, 240_000, 200);
    expect(run).toMatchObject({ status: 'promoted', version: 1, worker: `${hostname()}-${second.child.pid}`, error: null });
    // The second try started over from the beginning and ran to 100.
    expect(run?.attempts).toBeGreaterThanOrEqual(2);
    expect(percentAtKill).toBeLessThan(100);
    expect((await championOf(t.db, 'delay'))?.version).toBe(1);
    expect(await t.db('model_versions').count({ n: '*' }).first()).toEqual({ n: 1 });
  });
});
