import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listTrainingRuns } from '../../training/store/training-runs';
import { writePlantedLegs } from './support/planted-legs';
import { spawnFlowcast, waitFor, type RunningCommand } from './support/spawn-flowcast';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

/** `flowcast retrain delay --wait --json` against a `flowcast worker` process that also runs a cron schedule. */
describe('flowcast retrain and flowcast worker as processes', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  const running: RunningCommand[] = [];

  beforeAll(async () => {
    t = await createTestDatabase('fc_retrain_cli');
    await writePlantedLegs(t.db, { tenant: 'planted', legs: 2400, days: 8 });
    env = {
      DATABASE_URL: t.url, REDIS_URL: requireEnv('REDIS_URL'), RETRAIN_QUEUE_PREFIX: uniqueName('fcq'), RETRAIN_TENANT: 'planted',
      MODEL_ARTIFACTS_DIR: mkdtempSync(path.join(tmpdir(), 'fc-cli-')), RETRAIN_SCHEDULES: 'delay=*/3 * * * * *', SHUTDOWN_TIMEOUT_MS: '10000',
    };
  });

  afterAll(async () => {
    for (const r of running) {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
      await r.exited;
    }
    await t?.drop();
  });

  it('prints the run as its last line, and the schedule requests runs of its own', async () => {
    const retrain = spawnFlowcast(['retrain', 'delay', '--epochs', '8', '--batch-size', '128', '--wait', '--json'], env);
    running.push(retrain);
    let out = '';
    retrain.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('the run to be enqueued', async () => /run 1 enqueued/.test(retrain.stderr()), 60_000);
    const worker = spawnFlowcast(['worker'], env);
    running.push(worker);

    expect(await retrain.exited).toBe(0);
    const last = JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(last).toMatchObject({ runId: 1, version: 1, status: 'promoted', championBefore: null, championAfter: 1 });
    expect(Object.keys(last).slice(0, 6)).toEqual(['runId', 'version', 'status', 'metrics', 'championBefore', 'championAfter']);
    expect((last.metrics as { challenger: { auc: number } }).challenger.auc).toBeGreaterThan(0.75);
    expect((last.metrics as { champion: unknown }).champion).toBeNull();

    await waitFor('a scheduled run', async () => (await listTrainingRuns(t.db, 'delay')).some((r) => r.trigger === 'schedule'), 60_000, 200);
    const scheduled = (await listTrainingRuns(t.db, 'delay')).find((r) => r.trigger === 'schedule');
    expect(scheduled?.reason).toBe('scheduled (cron "*/3 * * * * *" UTC)');
    // The drift check ran at start too, and said why it judged nothing yet or what it found.
    await waitFor('a drift check', async () => Number((await t.db('drift_checks').count({ n: '*' }).first())?.n) > 0, 30_000, 200);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
