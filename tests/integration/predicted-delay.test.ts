import { getOnlineFeatures } from '../../features/online-features';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import type { DelayScorer, DelayScorerSource } from '../../pipelines/scoring/delay-scorer';
import { startAlertsStack, type AlertsStack } from './support/alerts-stack';
import { waitFor } from './support/spawn-flowcast';

const minute = 60_000;
const watched = 'destination:hub.arrival_delay_mean_1h';

/**
 * A stand-in for the champion, through the same DelayScorer interface: P(late) rises with the
 * destination hub's mean arrival delay over the last hour. It is not the delay model of issue 4
 * (that one needs training on the flights first); it lets this test plant "features turn bad".
 */
const standIn: DelayScorer = {
  modelName: 'delay', modelVersion: 'stand-in',
  score: async (legs) => legs.map(({ rolling }) => {
    const v = rolling[watched];
    const pLate = v === null || v === undefined ? 0.1 : 1 / (1 + Math.exp(-(v - 30) / 10));
    return { pLate, delayP50Min: v ?? 0, delayP90Min: (v ?? 0) * 1.5, topFeatures: [{ feature: watched, contribution: pLate - 0.1 }] };
  }),
};
const source: DelayScorerSource = async () => standIn;

let seq = 0;
const report = (deviceId: string, ts: number, extra: Record<string, unknown>) => ({ id: `p${seq++}`, deviceId, ts: new Date(ts).toISOString(), ...extra });

describe('predicted-delay alerts, against real PostgreSQL and Redis', () => {
  let stack: AlertsStack;
  beforeAll(async () => {
    stack = await startAlertsStack({ scorer: source });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('raises exactly one alert when the rolling features turn bad and resolves it on arrival', async () => {
    const db = stack.database.db;
    const now = Date.now();
    await upsertShipmentLegs(db, 'acme', [
      { shipmentId: 'S1', seq: 0, mode: 'road', from: 'HAM', to: 'MUC', plannedDeparture: now - 60 * minute, plannedArrival: now + 60 * minute },
      ...[1, 2, 3, 4, 5].map((i) => ({ shipmentId: `O${i}`, seq: 0, mode: 'road' as const, from: 'BER', to: 'MUC', plannedDeparture: now - 200 * minute, plannedArrival: now - 100 * minute })),
    ]);
    const s1 = (ts: number, extra: Record<string, unknown> = {}) => report('truck-s1', ts, { shipmentId: 'S1', location: { lat: 50, lon: 10 }, ...extra });
    const delayAlerts = () => db('alerts').where({ tenant: 'acme', kind: 'predicted_delay' });

    await stack.publish('acme', [s1(now - 10 * minute)]);
    await waitFor('the first prediction', async () => (await db('shipment_status').where({ shipment_id: 'S1' }).whereNotNull('p_late')).length === 1, 20_000);
    expect(await delayAlerts()).toHaveLength(0);

    // Five other legs reach MUC about 95 minutes late: MUC's rolling mean arrival delay turns bad.
    await stack.publish('acme', [1, 2, 3, 4, 5].map((i) => report(`truck-o${i}`, now - 3 * minute - i * 1000, { shipmentId: `O${i}`, hub: 'MUC', event: { code: 'arrived' } })));
    await waitFor('the features to see the delays', async () => {
      const [v] = await getOnlineFeatures(db, { tenant: 'acme', entities: [{ type: 'hub', id: 'MUC' }] });
      return (v?.values['hub.arrival_delay_mean_1h'] ?? 0) > 90;
    }, 20_000);

    // Online reads count whole tiles (a minute for hour windows): the report comes a minute later.
    await stack.publish('acme', [s1(now - 90_000)]);
    await waitFor('a predicted-delay alert', async () => (await delayAlerts()).length === 1, 20_000);
    await stack.publish('acme', [s1(now - 80_000), s1(now - 75_000)]);
    await stack.publish('acme', [s1(now - 70_000, { hub: 'MUC', event: { code: 'arrived' } })]);
    await waitFor('the alert to resolve', async () => (await delayAlerts()).every((a: { state: string }) => a.state === 'resolved'), 20_000);

    const alerts = (await delayAlerts()) as { state: string; resolve_reason: string; subject_id: string; details: { pLate: number; topFeatures: unknown[] }; location: unknown }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toEqual(expect.objectContaining({ subject_id: 'S1', resolve_reason: 'arrived', location: expect.objectContaining({ lat: 50 }) }));
    expect(alerts[0]!.details.pLate).toBeGreaterThan(0.7);
    // The prediction that opened the alert is stored, marked as having changed it.
    const stored = (await db('predictions').where({ shipment_id: 'S1', changed_alert: true })) as { p_late: number; model_version: string }[];
    expect(stored.length).toBeGreaterThanOrEqual(1);
    expect(stored[0]!.model_version).toBe('stand-in');

    const key = await stack.key('acme', ['read', 'predict']);
    const shipment = (await (await fetch(`${stack.api.url}/v1/shipments/S1`, { headers: { 'x-api-key': key } })).json()) as Record<string, unknown>;
    expect(shipment).toEqual(expect.objectContaining({ id: 'S1', status: 'arrived', openAlerts: [], modelVersion: 'stand-in', lastPosition: expect.objectContaining({ lat: 50, lon: 10 }) }));
    expect(shipment.pLate).toBeGreaterThan(0.7);
    const other = await stack.key('globex', ['read']);
    expect((await fetch(`${stack.api.url}/v1/shipments/S1`, { headers: { 'x-api-key': other } })).status).toBe(404);

    const leg = { from: 'HAM', to: 'MUC', mode: 'road', plannedDeparture: new Date(now).toISOString(), plannedArrival: new Date(now + 3_600_000).toISOString() };
    const post = (body: unknown) => fetch(`${stack.api.url}/v1/predictions/delay`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const one = (await (await post(leg)).json()) as { model: { version: string }; predictions: { pLate: number; features: Record<string, { value: number; lastEventAt: string }> }[] };
    expect(one.model.version).toBe('stand-in');
    expect(one.predictions[0]!.pLate).toBeGreaterThan(0.7);
    expect(one.predictions[0]!.features[watched]).toEqual(expect.objectContaining({ value: expect.any(Number), lastEventAt: expect.any(String) }));
    expect(((await (await post({ legs: Array.from({ length: 1000 }, () => leg) })).json()) as { predictions: unknown[] }).predictions).toHaveLength(1000);
    const tooMany = await post({ legs: Array.from({ length: 1001 }, () => leg) });
    expect(tooMany.status).toBe(400);
  });
});
