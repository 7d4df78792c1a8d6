import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

const cli = path.join(__dirname, '..', '..', 'dist', 'cli', 'flowcast.js');

/** `flowcast demo --seconds N`, as `DEMO_SECONDS=N make demo` runs it: every role a process, the simulator over HTTP. */
describe('flowcast demo', () => {
  // Five Node processes start one after the other on a busy machine.
  jest.setTimeout(120_000);
  let t: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase('fc_demo');
    env = {
      DATABASE_URL: t.url, STREAM_KEY: uniqueName('fc_demo'), TRANSPORT: 'redis', HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(20_000 + Math.floor(Math.random() * 10_000)), MODEL_ARTIFACTS_DIR: mkdtempSync(path.join(os.tmpdir(), 'fc-demo-')),
      RETRAIN_QUEUE_PREFIX: uniqueName('fc_demo_retrain'), LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    const redis = new Redis(requireEnv('REDIS_URL'));
    await redis.del(env.STREAM_KEY!);
    redis.disconnect();
    await t.drop();
  });

  it('stops by itself and prints a JSON summary of the run as its last line; without a model it says so and reports nulls', async () => {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'demo', '--seconds', '12', '--no-train', '--devices', '300', '--rate', '60'], {
        env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`http://127.0.0.1:${env.HTTP_PORT}`);
    expect(run.stdout).toMatch(/API key: +fc_[0-9a-f]{16}_/);
    expect(run.stderr).toContain('no champion registered and --no-train given');
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual(['alerts', 'auc', 'deadLetters', 'modelVersion', 'predictions', 'reports'].sort());
    expect(summary.reports).toBeGreaterThan(0);
    // One deliberately broken report every 5 s.
    expect(summary.deadLetters).toBeGreaterThanOrEqual(1);
    expect(summary).toMatchObject({ predictions: 0, modelVersion: null, auc: null });
    const stored = Number((await t.db('reports').where({ tenant: 'demo' }).count<{ n: string }[]>('* as n'))[0]!.n);
    expect(summary.reports).toBe(stored);
  });
});
