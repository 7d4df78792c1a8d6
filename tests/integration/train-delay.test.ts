import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { localArtifactStore } from '../../models/registry/local-artifact-store';
import { loadDelayModel } from '../../models/registry/load-delay-model';
import { promote } from '../../models/registry/model-registry';
import { loadTensorflow } from '../../models/tf-backend';
import { registerDelayRun } from '../../training/register-delay-run';
import { mulberry32 } from '../../training/seeded-random';
import { importShipments } from '../../training/shipments/import-shipments';
import { trainDelay } from '../../training/train-delay';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const logger = pino({ level: 'silent' });

/** 40 days of road legs between 5 hubs, 4 an hour; legs out of D are late (60 min), others mostly on time. */
function historyCsv(file: string): void {
  const rnd = mulberry32(9);
  const lines = ['shipmentId,mode,from,to,plannedDeparture,plannedArrival,actualDeparture,actualArrival'];
  const iso = (ms: number) => new Date(ms).toISOString();
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 40 * 24 * 4; i++) {
    const from = `H${Math.floor(rnd() * 5)}`;
    const to = `H${(Number(from.slice(1)) + 1 + Math.floor(rnd() * 4)) % 5}`;
    const dep = start + i * 15 * 60_000;
    const arr = dep + 3 * 3_600_000;
    const delay = from === 'H3' ? 60 + rnd() * 30 : rnd() < 0.1 ? 40 : rnd() * 10;
    lines.push([`S${i}`, 'road', from, to, iso(dep), iso(arr), iso(dep + delay * 60_000), iso(arr + delay * 60_000)].join(','));
  }
  writeFileSync(file, lines.join('\n'));
}

describe('flowcast train delay on a small generated history', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('fc_train');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('builds point-in-time features, beats the baselines on the test part, writes the reports and registers a loadable version', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fc-train-'));
    const file = path.join(dir, 'history.csv');
    historyCsv(file);
    const imported = await importShipments({ db: t.db, logger, tenant: 'acme', file, allowedLatenessMs: 900_000 });
    expect(imported).toMatchObject({ loaded: 3840, rejected: 0 });

    const runtime = await loadTensorflow(logger);
    const run = await trainDelay({
      db: t.db, logger, runtime, tenant: 'acme', lateThresholdMin: 15,
      hyperparameters: { epochs: 8, batchSize: 128, learningRate: 0.01, minCount: 1, hidden: [16, 8] },
    });
    const r = run.report;
    expect(r.rows.total).toBe(3840);
    // Temporal split: test = the last quarter of the 40 days, validation = the end of the training period.
    expect(Date.parse(r.testFrom)).toBeCloseTo(Date.UTC(2024, 0, 1) + 0.75 * (40 * 86_400_000 - 15 * 60_000), -4);
    expect(r.rows.test).toBeGreaterThan(900);
    // Ceiling: every H3 leg (20 %) is late and ranks first; the random 10 % of other late legs
    // cannot be told apart: AUC ≤ (0.2 + 0.08 / 2) / 0.28 ≈ 0.857.
    expect(r.model.auc).toBeGreaterThan(0.8);
    expect(r.model.auc).toBeGreaterThan(r.baselines.constantRate.auc);
    expect(r.model.brier).toBeLessThan(r.baselines.constantRate.brier);
    expect(r.model.reliability).toHaveLength(10);
    expect(r.withoutRolling).toBeDefined();
    expect(r.features).toContain('origin:hub.departure_delay_mean_1h');
    expect(r.importance.length).toBeGreaterThan(10);

    const store = localArtifactStore(path.join(dir, 'artifacts'));
    const registered = await registerDelayRun(t.db, store, run);
    const html = (await store.get(registered.reportHtmlUri)).toString('utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Reliability');
    expect(JSON.parse((await store.get(registered.reportJsonUri)).toString('utf8')).model.auc).toBe(r.model.auc);
    await promote(t.db, 'delay', registered.version.version);
    const { model } = await loadDelayModel(t.db, store, runtime.tf);
    const legs = ['H3', 'H1'].map((from) => ({
      from, to: 'H4', mode: 'road' as const, plannedDeparture: Date.UTC(2024, 1, 15, 12), plannedArrival: Date.UTC(2024, 1, 15, 15), rolling: {},
    }));
    const p = model.predict(legs);
    expect(p.pLate[0] as number).toBeGreaterThan(p.pLate[1] as number);
  });

  it('refuses to train when the feature retention has deleted the features of every leg (runs last)', async () => {
    // The history ends on 2024-02-10; with features before 2024-02-10 gone, the first readable
    // instant (the delay features' longest window and widest tile later) is after every leg.
    await t.db.raw('INSERT INTO feature_retention (pruned_before) VALUES (?)', [Date.UTC(2024, 1, 10)]);
    const runtime = await loadTensorflow(logger);
    const refused = trainDelay({ db: t.db, logger, runtime, tenant: 'acme', lateThresholdMin: 15, hyperparameters: { epochs: 1 } });
    await expect(refused).rejects.toMatchObject({ code: 'FC_FEATURES_PRUNED', message: expect.stringMatching(/every labelled leg of tenant acme departs before .*: nothing to train on/) });
  });
});
