import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { createMetricsRegistry } from '../../core/metrics';
import { createApiKey } from '../../core/store/create-api-key';
import { localArtifactStore } from '../../models/registry/local-artifact-store';
import { championOf } from '../../models/registry/model-registry';
import { createApp } from '../../serving/app';
import { RetrainQueue } from '../../training/retrain-queue';
import { startRetrainWorker } from '../../training/retrain-worker';
import type { TrainingRun } from '../../training/store/training-runs';
import { trainInThread } from '../../training/train-in-thread';
import { writePlantedLegs } from './support/planted-legs';
import { waitFor } from './support/spawn-flowcast';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

/** POST /v1/models/:name/retrain (admin), GET …/runs/:id (progress), promote and rollback over HTTP. */
describe('HTTP: models (retrain, runs, promote, rollback)', () => {
  let t: TestDatabase;
  let server: Server;
  let base: string;
  let redis: Redis;
  let queue: RetrainQueue;
  let worker: Worker;
  const keys = { admin: '', read: '' };
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    t = await createTestDatabase('fc_api_models');
    await writePlantedLegs(t.db, { tenant: 'planted', legs: 2400, days: 8 });
    keys.admin = (await createApiKey(t.db, { tenant: 'acme', scopes: ['admin'] })).key;
    keys.read = (await createApiKey(t.db, { tenant: 'acme', scopes: ['read'] })).key;
    redis = new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null });
    const prefix = uniqueName('fcq');
    queue = new RetrainQueue({ connection: redis, prefix, attempts: 1, backoffMs: 100 });
    const dir = mkdtempSync(path.join(tmpdir(), 'fc-api-models-'));
    worker = startRetrainWorker({
      db: t.db, logger, redis, workerName: 'api-test', connection: redis, prefix, store: localArtifactStore(dir), train: trainInThread,
      lockMs: 30_000, stalledCheckMs: 5_000,
      settings: { databaseUrl: t.url, logLevel: 'silent', artifacts: { MODEL_ARTIFACTS_DIR: dir }, lateThresholdMin: 15, holdoutMaxRows: 5000, margins: { minAucGain: 0.01, maxBrierLoss: 0 } },
    });
    const config = loadConfig({ ...process.env, DATABASE_URL: t.url });
    const app = createApp({
      config, db: t.db, transport: { publish: async () => undefined }, logger, metricsRegistry: createMetricsRegistry('test'),
      models: { retrain: queue, redis, tenant: 'planted' },
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.close();
    await worker?.close();
    await queue?.close();
    redis?.disconnect();
    await t?.drop();
  });

  const call = async (method: string, p: string, key: string, body?: unknown) => {
    const res = await fetch(`${base}${p}`, {
      method, headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  async function untilFinished(runId: number): Promise<TrainingRun> {
    let run: TrainingRun | undefined;
    await waitFor(`run ${runId}`, async () => {
      const r = await call('GET', `/v1/models/delay/runs/${runId}`, keys.read);
      run = r.body as unknown as TrainingRun;
      return ['promoted', 'kept-candidate', 'failed'].includes(run.status);
    }, 240_000, 200);
    return run as TrainingRun;
  }

  it('refuses a retrain without the admin scope, and a bad body with its field paths', async () => {
    expect((await call('POST', '/v1/models/delay/retrain', keys.read, {})).status).toBe(403);
    const bad = await call('POST', '/v1/models/delay/retrain', keys.admin, { sample: -3, from: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/sample/);
    expect(JSON.stringify(bad.body)).toMatch(/from/);
    expect((await call('POST', '/v1/models/nope/retrain', keys.admin, {})).status).toBe(400);
  });

  it('retrains on request, shows the run with its progress, then promotes and rolls back', async () => {
    const body = { epochs: 8, batchSize: 128, reason: 'new data' };
    const first = await call('POST', '/v1/models/delay/retrain', keys.admin, body);
    expect(first.status).toBe(202);
    const runId = (first.body.run as TrainingRun).id;
    expect(first.body).toMatchObject({ deduplicated: false, run: { status: 'queued', trigger: 'api', reason: 'new data', parameters: { hyperparameters: { epochs: 8, batchSize: 128 } } } });
    const seen = await call('GET', `/v1/models/delay/runs/${runId}`, keys.read);
    expect(seen.body).toHaveProperty('progress.percent');
    expect(await untilFinished(runId)).toMatchObject({ status: 'promoted', version: 1, championAfter: 1 });

    const second = await call('POST', '/v1/models/delay/retrain', keys.admin, body);
    const run2 = await untilFinished((second.body.run as TrainingRun).id);
    expect(run2.version).toBe(2);
    expect(run2.decision).toEqual(expect.any(String));

    const promoted = await call('POST', '/v1/models/delay/promote', keys.admin, { version: 2, reason: 'try it' });
    expect(promoted).toMatchObject({ status: 200, body: { champion: { version: 2, status: 'champion' } } });
    const back = await call('POST', '/v1/models/delay/rollback', keys.admin, {});
    expect(back).toMatchObject({ status: 200, body: { retired: { version: 2 }, restored: { version: 1, status: 'champion' } } });
    expect((await championOf(t.db, 'delay'))?.version).toBe(1);

    const runs = await call('GET', '/v1/models/delay/runs', keys.read);
    expect((runs.body.runs as TrainingRun[]).map((r) => r.id)).toEqual([run2.id, runId]);
    expect((await call('GET', '/v1/models/delay/runs/999', keys.read)).status).toBe(404);
  });
});
