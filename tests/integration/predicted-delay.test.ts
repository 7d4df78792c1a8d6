import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { getOnlineFeatures } from '../../features/online-features';
import type { ShipmentLeg } from '../../features/shipment-leg';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { localArtifactStore } from '../../models/registry/local-artifact-store';
import { promote } from '../../models/registry/model-registry';
import { loadTensorflow } from '../../models/tf-backend';
import { defaultAlertRules } from '../../pipelines/alerts/alert-rules';
import { noChampion, type DelayScorer, type DelayScorerSource } from '../../pipelines/scoring/delay-scorer';
import { legRollingInputs } from '../../pipelines/scoring/leg-rolling-inputs';
import { startDelayChampion } from '../../pipelines/scoring/start-delay-champion';
import { registerDelayRun } from '../../training/register-delay-run';
import { trainDelay, type DelayTrainingReport } from '../../training/train-delay';
import { startAlertsStack, type AlertsStack } from './support/alerts-stack';
import { writeCongestedHubLegs } from './support/planted-legs';
import { waitFor } from './support/spawn-flowcast';
import { requireEnv } from './support/test-env';

const minute = 60_000;
const watched = 'destination:hub.arrival_delay_mean_1h';
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const { raise, clear } = defaultAlertRules.predictedDelay;

let seq = 0;
const report = (deviceId: string, ts: number, extra: Record<string, unknown>) => ({ id: `p${seq++}`, deviceId, ts: new Date(ts).toISOString(), ...extra });

/** The same leg planned at every hour of a week (P(late) must not hinge on when the test runs). */
const everyHourOfAWeek = (leg: ShipmentLeg): ShipmentLeg[] =>
  Array.from({ length: 168 }, (_, h) => ({ ...leg, plannedDeparture: Date.UTC(2026, 0, 5, h), plannedArrival: Date.UTC(2026, 0, 5, h) + leg.plannedArrival - leg.plannedDeparture }));

/**
 * Issue 6's "a shipment whose rolling features turn bad raises exactly one predicted-delay alert
 * and resolves it on arrival", with the real champion: a delay model trained by the project's own
 * training code on a planted history in which lateness is caused by congestion at the destination
 * hub, registered and promoted in the registry, and loaded by the champion holder and scorer the
 * serving processes use.
 */
describe('predicted-delay alerts with a trained champion, against real PostgreSQL and Redis', () => {
  let stack: AlertsStack;
  let champion: Awaited<ReturnType<typeof startDelayChampion>> | undefined;
  let training: DelayTrainingReport;
  let version: number;
  let source: DelayScorerSource = noChampion;
  const artifacts = mkdtempSync(path.join(tmpdir(), 'fc-predicted-delay-'));

  beforeAll(async () => {
    // The stack asks for the scorer on every batch: the champion is plugged in once it exists.
    stack = await startAlertsStack({ scorer: () => source() });
    const db = stack.database.db;
    // acme's history (in 2001): three weeks of road legs between six hubs, two of them congested at any time.
    await writeCongestedHubLegs(db, { tenant: 'acme', days: 21 });
    const run = await trainDelay({
      db, logger, runtime: await loadTensorflow(logger), tenant: 'acme', lateThresholdMin: 15, ablation: false,
      // Small and quick; no month input: the history is in 2001, the test runs today.
      hyperparameters: { epochs: 20, batchSize: 256, learningRate: 0.002, patience: 3, hidden: [32, 16], hubDim: 2, laneDim: 2, month: false },
    });
    training = run.report;
    const registered = await registerDelayRun(db, localArtifactStore(artifacts), run);
    version = registered.version.version;
    await promote(db, 'delay', version, 'trained on the congested-hub history');
    // As `flowcast api` and `flowcast score` load it (with explanations); polling is irrelevant here.
    champion = await startDelayChampion({
      db, logger, settings: { MODEL_ARTIFACTS_DIR: artifacts }, subscriber: new Redis(requireEnv('REDIS_URL')), explainTop: 5, pollMs: 600_000,
    });
    source = champion.source;
  });
  afterAll(async () => {
    source = noChampion;
    await champion?.stop();
    await stack?.stop();
    rmSync(artifacts, { recursive: true, force: true });
  });

  it('the champion learned the planted pattern from the destination hub\'s arrival delays', () => {
    logger.info({ auc: training.model.auc, rows: training.rows, importance: training.importance.slice(0, 3) }, 'trained');
    // On the test part (the last quarter of the history, touched once).
    expect(training.model.auc).toBeGreaterThan(0.8);
    // Lanes say nothing here: lateness moves with the congestion, not with the lane.
    expect(training.model.auc).toBeGreaterThan(training.baselines.laneRate.auc + 0.2);
    // Permutation importance (on the validation part): the input that matters most is the watched one.
    expect(training.importance[0]?.feature).toBe(watched);
  });

  it('raises exactly one alert when the rolling features turn bad and resolves it on arrival', async () => {
    const db = stack.database.db;
    const scorer = (await source()) as DelayScorer;
    expect(scorer).toMatchObject({ modelName: 'delay', modelVersion: String(version) });
    const now = Date.now();
    // acme's last day, known until 20 minutes ago: every hub clear until MUC became congested 80
    // minutes ago; none of its late legs has arrived yet, so no rolling feature shows it.
    await writeCongestedHubLegs(db, {
      tenant: 'acme', days: 1, start: now - 24 * 60 * minute, until: now - 20 * minute, seed: 3,
      congestion: [{ hub: 'MUC', from: now - 80 * minute, to: Number.POSITIVE_INFINITY }],
    });
    const s1Leg: ShipmentLeg = { shipmentId: 'S1', seq: 0, mode: 'road', from: 'HAM', to: 'MUC', plannedDeparture: now - 120 * minute, plannedArrival: now + 60 * minute };
    await upsertShipmentLegs(db, 'acme', [
      s1Leg,
      ...[1, 2, 3, 4, 5].map((i) => ({ shipmentId: `O${i}`, seq: 0, mode: 'road' as const, from: 'BER', to: 'MUC', plannedDeparture: now - 295 * minute, plannedArrival: now - 115 * minute })),
    ]);
    const s1 = (ts: number, extra: Record<string, unknown> = {}) => report('truck-s1', ts, { shipmentId: 'S1', location: { lat: 50, lon: 10 }, ...extra });
    const delayAlerts = () => db('alerts').where({ tenant: 'acme', kind: 'predicted_delay' });
    const status = async () => (await db('shipment_status').where({ tenant: 'acme', shipment_id: 'S1' }).first()) as { p_late: number | null; model_version: string | null } | undefined;

    // S1 is on the road, an hour before its planned arrival; MUC looks as usual.
    const firstAt = now - 60 * minute;
    await stack.publish('acme', [s1(firstAt)]);
    await waitFor('the first prediction', async () => (await status())?.p_late != null, 20_000);
    const first = (await status())!;
    expect(first.model_version).toBe(String(version));
    expect(first.p_late).toBeLessThan(clear);
    expect(await delayAlerts()).toHaveLength(0);
    // What the scoring consumer read for that prediction (features as of the report).
    const [before] = await legRollingInputs(db, 'acme', [s1Leg], firstAt);
    expect((await scorer.score([{ leg: s1Leg, rolling: before!.rolling }]))[0]!.pLate).toBeCloseTo(first.p_late!, 5);

    // Five other legs reach MUC 95 minutes late: MUC's rolling mean arrival delay turns bad. (They
    // arrive 20 minutes before the next report: the 24 h windows count whole 15-minute tiles.)
    await stack.publish('acme', [1, 2, 3, 4, 5].map((i) => report(`truck-o${i}`, now - 20 * minute - i * 1000, { shipmentId: `O${i}`, hub: 'MUC', event: { code: 'arrived' } })));
    await waitFor('the features to see the delays', async () => {
      const [v] = await getOnlineFeatures(db, { tenant: 'acme', entities: [{ type: 'hub', id: 'MUC' }] });
      return (v?.values['hub.arrival_delay_mean_1h'] ?? 0) > 90;
    }, 20_000);

    await stack.publish('acme', [s1(now - 90_000)]);
    await waitFor('a predicted-delay alert', async () => (await delayAlerts()).length === 1, 20_000);
    await stack.publish('acme', [s1(now - 80_000), s1(now - 75_000)]);

    // The prediction that opened the alert is stored with the inputs it saw, marked as having changed it.
    const stored = (await db('predictions').where({ tenant: 'acme', shipment_id: 'S1', changed_alert: true })) as { p_late: number; model_version: string; features: Record<string, number | null> }[];
    expect(stored).toHaveLength(1);
    const opened = stored[0]!;
    expect(opened.model_version).toBe(String(version));
    expect(opened.p_late).toBeGreaterThanOrEqual(raise);
    expect(opened.features[watched]).toBeGreaterThan(90);
    logger.info({ before: first.p_late, after: opened.p_late }, 'P(late) of S1');

    // A real reason: with MUC's arrival delays as they were at the first report, the same inputs
    // stay below the raise threshold; and at every hour of the week the verdicts stay the same.
    const asBefore = { ...opened.features, ...Object.fromEntries(Object.entries(before!.rolling).filter(([k]) => k.startsWith('destination:hub.arrival_delay_'))) };
    const week = everyHourOfAWeek(s1Leg);
    const pLates = async (rolling: Record<string, number | null>) => (await scorer.score(week.map((leg) => ({ leg, rolling })))).map((s) => s.pLate);
    expect(Math.max(...(await pLates(before!.rolling)))).toBeLessThan(clear);
    expect(Math.min(...(await pLates(opened.features)))).toBeGreaterThanOrEqual(raise);
    expect(Math.max(...(await pLates(asBefore)))).toBeLessThan(raise);

    // The prediction API answers with the same champion while MUC is congested.
    const key = await stack.key('acme', ['read', 'predict']);
    const leg = { from: 'HAM', to: 'MUC', mode: 'road', plannedDeparture: new Date(now).toISOString(), plannedArrival: new Date(now + 3 * 60 * minute).toISOString() };
    const post = (body: unknown) => fetch(`${stack.api.url}/v1/predictions/delay`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const one = (await (await post(leg)).json()) as {
      model: { name: string; version: string };
      predictions: { pLate: number; features: Record<string, { value: number; lastEventAt: string }>; topFeatures: { feature: string; contribution: number }[] }[];
    };
    expect(one.model).toEqual({ name: 'delay', version: String(version) });
    expect(one.predictions[0]!.pLate).toBeGreaterThanOrEqual(raise);
    expect(one.predictions[0]!.features[watched]).toEqual(expect.objectContaining({ value: expect.any(Number), lastEventAt: expect.any(String) }));
    expect(one.predictions[0]!.features[watched]!.value).toBeGreaterThan(90);
    expect(one.predictions[0]!.topFeatures).toHaveLength(5);
    expect(((await (await post({ legs: Array.from({ length: 1000 }, () => leg) })).json()) as { predictions: unknown[] }).predictions).toHaveLength(1000);
    const tooMany = await post({ legs: Array.from({ length: 1001 }, () => leg) });
    expect(tooMany.status).toBe(400);

    await stack.publish('acme', [s1(now - 70_000, { hub: 'MUC', event: { code: 'arrived' } })]);
    await waitFor('the alert to resolve', async () => (await delayAlerts()).every((a: { state: string }) => a.state === 'resolved'), 20_000);

    const alerts = (await delayAlerts()) as {
      state: string; resolve_reason: string; subject_id: string; location: unknown;
      details: { pLate: number; modelVersion: string; threshold: number; topFeatures: { feature: string; contribution: number }[] };
    }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toEqual(expect.objectContaining({ subject_id: 'S1', resolve_reason: 'arrived', location: expect.objectContaining({ lat: 50 }) }));
    expect(alerts[0]!.details).toEqual(expect.objectContaining({ modelVersion: String(version), threshold: raise }));
    expect(alerts[0]!.details.pLate).toBeGreaterThanOrEqual(raise);
    // Explanations name the model's own inputs.
    logger.info({ alert: alerts[0]!.details.topFeatures, api: one.predictions[0]!.topFeatures }, 'top features');
    expect(alerts[0]!.details.topFeatures).toHaveLength(5);
    for (const f of alerts[0]!.details.topFeatures) expect(training.features).toContain(f.feature);
    // Against the training average, the planted cause is among them (in the prediction API's answer too).
    expect(alerts[0]!.details.topFeatures.map((f) => f.feature)).toContain(watched);
    expect(one.predictions[0]!.topFeatures.map((f) => f.feature)).toContain(watched);

    // Reports after the arrival (one buffered from before it, one from a tracker still reporting),
    // while MUC is still congested: the shipment is finished, nothing opens again. A low battery
    // published after them tells when the consumer has handled them (batches commit in order).
    await stack.publish('acme', [s1(now - 72_000), s1(now - 10_000)]);
    await new Promise((r) => setTimeout(r, 2500)); // past the shipment-leg cache's life: the next report finds no legs to score
    await stack.publish('acme', [s1(now - 5_000), report('marker', now, { metrics: { battery_pct: 2 } })]);
    await waitFor('the marker\'s battery alert', async () => (await db('alerts').where({ tenant: 'acme', kind: 'battery_low', subject_id: 'marker' })).length === 1, 20_000);
    expect((await delayAlerts()).map((a: { state: string }) => a.state)).toEqual(['resolved']);
    // Past the cache's life the shipment is not scored at all: its status stays where the scoring left it.
    const after = (await db('shipment_status').where({ tenant: 'acme', shipment_id: 'S1' }).first()) as { last_report_ts: Date; arrived_at: Date };
    expect(Math.abs(after.arrived_at.getTime() - (now - 70_000))).toBeLessThan(2);
    expect(after.last_report_ts.getTime()).toBeLessThan(now - 5_000);

    const shipment = (await (await fetch(`${stack.api.url}/v1/shipments/S1`, { headers: { 'x-api-key': key } })).json()) as Record<string, unknown>;
    expect(shipment).toEqual(expect.objectContaining({ id: 'S1', status: 'arrived', openAlerts: [], modelVersion: String(version), lastPosition: expect.objectContaining({ lat: 50, lon: 10 }) }));
    expect(shipment.pLate).toBeGreaterThanOrEqual(raise);
    const other = await stack.key('globex', ['read']);
    expect((await fetch(`${stack.api.url}/v1/shipments/S1`, { headers: { 'x-api-key': other } })).status).toBe(404);
  });
});
