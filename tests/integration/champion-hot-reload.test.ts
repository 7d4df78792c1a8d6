import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createApiKey } from '../../core/store/create-api-key';
import { promoteChampion, rollbackChampion } from '../../models/champion-change';
import { delayArtifactFormat, encodeWeights, type DelayModelArtifact } from '../../models/delay-model-artifact';
import { initParams } from '../../models/delay-network';
import { fitEncoder } from '../../models/feature-encoder';
import type { LegExample } from '../../models/leg-example';
import { localArtifactStore } from '../../models/registry/local-artifact-store';
import { promote, registerVersion } from '../../models/registry/model-registry';
import { loadTensorflow } from '../../models/tf-backend';
import { spawnFlowcast, waitFor, type RunningCommand } from './support/spawn-flowcast';
import { createTestDatabase, requireEnv, type TestDatabase } from './support/test-env';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const legs: LegExample[] = ['ATL', 'ORD', 'DEN', 'SEA'].map((from, i) => ({
  from, to: 'DFW', mode: 'air', plannedDeparture: Date.UTC(2001, 0, 1, 8 + i), plannedArrival: Date.UTC(2001, 0, 1, 11 + i), rolling: {},
}));

/**
 * A `flowcast api` process answers a steady stream of predictions while the champion changes
 * twice (a promotion, then a rollback, each announced on Redis) and once more without a notice
 * (found by polling): every request succeeds, and responses name the new version soon after.
 */
describe('champion hot reload in a serving process under load', () => {
  let t: TestDatabase;
  let api: RunningCommand;
  let base: string;
  let key: string;
  let redis: Redis;
  const dir = mkdtempSync(path.join(tmpdir(), 'fc-hot-'));

  async function artifact(seed: number): Promise<DelayModelArtifact> {
    const { tf } = await loadTensorflow(logger);
    const encoder = fitEncoder(legs, { rolling: [], minCount: 1, maxLanes: 10 });
    const shape = { dense: encoder.columns.length, hubs: encoder.hubs.length, lanes: encoder.lanes.length, hubDim: 2, laneDim: 2, hidden: [8, 4] as [number, number] };
    const params = initParams(tf, shape, seed);
    const a: DelayModelArtifact = { format: delayArtifactFormat, lateThresholdMin: 15, delayScaleMin: 30, encoder, shape, weights: encodeWeights(params) };
    tf.dispose(Object.values(params));
    return a;
  }

  beforeAll(async () => {
    t = await createTestDatabase('fc_hot_reload');
    const store = localArtifactStore(dir);
    for (const seed of [1, 2, 3]) {
      const a = await artifact(seed);
      await registerVersion(t.db, {
        model: 'delay', tenant: 'flights', dataFrom: 0, dataTo: 1, features: [], hyperparameters: {}, metrics: {},
        store, artifact: Buffer.from(JSON.stringify(a)),
      });
    }
    await promote(t.db, 'delay', 1);
    key = (await createApiKey(t.db, { tenant: 'acme', scopes: ['predict'] })).key;
    redis = new Redis(requireEnv('REDIS_URL'));
    api = spawnFlowcast(['api'], {
      DATABASE_URL: t.url, REDIS_URL: requireEnv('REDIS_URL'), HTTP_PORT: '0', MODEL_ARTIFACTS_DIR: dir, CHAMPION_POLL_MS: '4000', SHUTDOWN_TIMEOUT_MS: '5000',
    });
    await waitFor('the API to listen', async () => /API listening on (http:\/\/[\w.]+:\d+)/.test(api.stderr()), 60_000);
    base = /API listening on (http:\/\/[\w.]+:\d+)/.exec(api.stderr())?.[1] as string;
  });

  afterAll(async () => {
    if (api && api.child.exitCode === null) {
      api.child.kill('SIGTERM');
      await api.exited;
    }
    redis?.disconnect();
    await t?.drop();
  });

  it('switches models with zero failed requests', async () => {
    const results: { client: number; at: number; status: number; version?: string }[] = [];
    let running = true;
    const leg = { from: 'ATL', to: 'DFW', mode: 'air', plannedDeparture: '2001-01-01T08:00:00Z', plannedArrival: '2001-01-01T11:00:00Z' };
    const client = async (id: number) => {
      while (running) {
        try {
          const res = await fetch(`${base}/v1/predictions/delay`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(leg) });
          const body = (await res.json()) as { model?: { version?: string } };
          results.push({ client: id, at: Date.now(), status: res.status, version: body.model?.version });
        } catch {
          results.push({ client: id, at: Date.now(), status: 0 });
          // A refused connection fails at once: pause, or the loop starves every timer.
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    const latest = () => results.at(-1)?.version;
    const d = { db: t.db, redis, logger };
    try {
      await waitFor('predictions by v1', async () => latest() === '1', 30_000);
      const promotedAt = Date.now();
      await promoteChampion(d, 'delay', 2, 'hot reload test');
      await waitFor('predictions by v2', async () => latest() === '2', 10_000);
      const promotedSeenMs = (results.find((r) => r.version === '2')?.at ?? 0) - promotedAt;
      const rolledAt = Date.now();
      await rollbackChampion(d, 'delay', 'hot reload test');
      await waitFor('predictions by v1 again', async () => latest() === '1', 10_000);
      const rolledSeenMs = (results.find((r) => r.at >= rolledAt && r.version === '1')?.at ?? 0) - rolledAt;
      // The notice, not the 4 s poll, brought both changes.
      expect(promotedSeenMs).toBeLessThan(3000);
      expect(rolledSeenMs).toBeLessThan(3000);
      // Without a notice (the registry alone), the poll finds the new champion.
      await promote(t.db, 'delay', 3, 'no notice');
      await waitFor('predictions by v3 through polling', async () => latest() === '3', 15_000, 50);
    } finally {
      running = false;
      await Promise.all(clients);
    }
    const failed = results.filter((r) => r.status !== 200);
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
    // Each client's answers change version in order: 1, then 2, then 1, then 3, with no flapping back.
    for (const id of [0, 1, 2, 3]) {
      const changes = results.filter((r) => r.client === id).map((r) => r.version).filter((v, i, a) => i === 0 || v !== a[i - 1]);
      expect(changes).toEqual(['1', '2', '1', '3']);
    }
  });
});
