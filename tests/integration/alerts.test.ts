import type { Knex } from 'knex';
import { createLogger } from '../../core/logger';
import { sweepSilentDevices } from '../../pipelines/alerts/device-silence-sweep';
import { verifyWebhook } from '../../pipelines/alerts/webhook-signature';
import { noChampion } from '../../pipelines/scoring/delay-scorer';
import { startAlertsStack, startWebhookReceiver, type AlertsStack } from './support/alerts-stack';
import { openSse } from './support/sse-client';
import { waitFor } from './support/spawn-flowcast';

const minute = 60_000;
let seq = 0;
const report = (deviceId: string, ts: number, extra: Record<string, unknown> = {}) => ({ id: `r${seq++}`, deviceId, ts: new Date(ts).toISOString(), ...extra });

const alertsOf = async (db: Knex, tenant: string) =>
  (await db.raw(`SELECT * FROM alerts WHERE tenant = ? ORDER BY id`, [tenant])).rows as {
    id: number; kind: string; subject_id: string; rule_key: string; state: string; location: { lat: number; lon: number } | null; resolve_reason: string | null;
  }[];
const eventIdsOf = async (db: Knex, tenant: string) =>
  ((await db.raw(`SELECT seq FROM alert_events WHERE tenant = ? ORDER BY seq`, [tenant])).rows as { seq: number }[]).map((r) => String(r.seq));

const square = (lon: number, lat: number, d: number) => ({
  type: 'Polygon' as const,
  coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]],
});

/** Every rule's planted condition, in order: on, held a while, off. */
function plantedReports(now: number): object[] {
  const t = (i: number) => now - 20 * minute + i * 1000;
  const out: object[] = [];
  const at = { lat: 48.1, lon: 11.5 };
  [50, 12, 11, 25].forEach((b, i) => out.push(report('truck-1', t(i), { location: at, metrics: { battery_pct: b } })));
  [5, 12, 13, 4].forEach((c, i) => out.push(report('reefer-1', t(10 + i), { location: at, metrics: { temp_c: c } })));
  [49.5, 50.5, 50.6, 49.4].forEach((lat, i) => out.push(report('truck-2', t(20 + i), { location: { lat, lon: 10.5 } })));
  [0.2, 0.9, 0.95, 0.3].forEach((r, i) => out.push(report('drone-1', t(30 + i), { location: at, metrics: { risk_score: r } })));
  // A sorter zone: steady throughput and few rejects, then a collapse, recovery, a reject spike, recovery.
  const sorter = (i: number, parcels: number, rejects: number) =>
    out.push(report('sorter-1', t(40 + i), { hub: 'zone-7', location: at, metrics: { parcels, rejects, interval_s: 10 } }));
  let i = 0;
  for (; i < 40; i++) sorter(i, 17 + (i % 3) - 1, i % 4 === 0 ? 1 : 0);
  for (let k = 0; k < 3; k++, i++) sorter(i, 2, 0);
  for (let k = 0; k < 5; k++, i++) sorter(i, 17 + (k % 3) - 1, 0);
  for (let k = 0; k < 3; k++, i++) sorter(i, 17, 9);
  for (let k = 0; k < 5; k++, i++) sorter(i, 17, 0);
  return out;
}

describe('alerts: rules, delivery and tenants, against real PostgreSQL and Redis', () => {
  let stack: AlertsStack;
  let acmeAdmin: string;
  let acmeRead: string;
  let globex: string;
  beforeAll(async () => {
    stack = await startAlertsStack({ scorer: noChampion, webhookMaxAttempts: 4 });
    acmeAdmin = await stack.key('acme', ['admin']);
    acmeRead = await stack.key('acme', ['read']);
    globex = await stack.key('globex', ['read', 'admin']);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const api = (key: string, path: string, init: RequestInit = {}) =>
    fetch(`${stack.api.url}${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  it('raises each rule alert once, resolves it when the condition clears, and delivers everything', async () => {
    const db = stack.database.db;
    const rules = await api(acmeAdmin, '/v1/alert-rules', {
      method: 'PUT',
      body: JSON.stringify({
        metricRanges: { temp_c: { min: 2, max: 8 } },
        geofences: [{ id: 'depot', name: 'restricted depot', alertOn: 'enter', geometry: square(10, 50, 1) }],
      }),
    });
    expect(rules.status).toBe(200);
    const flaky = await startWebhookReceiver(2);
    const broken = await startWebhookReceiver('always');
    for (const url of [flaky.url, broken.url]) {
      const created = await api(acmeAdmin, '/v1/webhooks', { method: 'POST', body: JSON.stringify({ url, secret: 'a-long-shared-secret' }) });
      expect(created.status).toBe(201);
    }

    // An SSE client listens from the start, drops after the first events, and resumes later.
    const first = openSse(`${stack.api.url}/v1/alerts/stream`, { 'x-api-key': acmeRead });
    expect(await first.status).toBe(200);

    const now = Date.now();
    const planted = plantedReports(now);
    await stack.publish('acme', planted.slice(0, 8));
    await waitFor('the first SSE events', async () => first.events.length >= 3, 20_000);
    first.close();
    const lastSeen = first.events[first.events.length - 1]!.id;
    await stack.publish('acme', planted.slice(8));
    // A tracker last heard from two hours ago: the timer finds it, its next report resolves it.
    await stack.publish('acme', [report('tracker-9', now - 120 * minute, { location: { lat: 52.5, lon: 13.4 } })]);
    await waitFor('ingest to record tracker-9', async () => (await db('devices').where({ tenant: 'acme', device_id: 'tracker-9' })).length === 1, 20_000);
    const sweep = { db, logger: createLogger({ level: 'silent' }), afterCommit: stack.fanout };
    expect(await sweepSilentDevices(sweep)).toBe(1);
    expect(await sweepSilentDevices(sweep)).toBe(0);
    await stack.publish('acme', [report('tracker-9', now, { location: { lat: 52.5, lon: 13.41 } })]);

    const kinds = ['battery_low', 'metric_out_of_range', 'geofence_enter', 'drone_risk', 'sorter_throughput_drop', 'sorter_reject_spike', 'device_silent'];
    await waitFor('every alert to resolve', async () => {
      const a = await alertsOf(db, 'acme');
      return a.length === kinds.length && a.every((x) => x.state === 'resolved');
    }, 30_000);
    const alerts = await alertsOf(db, 'acme');
    expect(alerts.map((a) => a.kind).sort()).toEqual([...kinds].sort());
    for (const a of alerts) expect(a.location).toEqual(expect.objectContaining({ lat: expect.any(Number), lon: expect.any(Number) }));
    expect(alerts.find((a) => a.kind === 'device_silent')).toEqual(expect.objectContaining({ subject_id: 'tracker-9', resolve_reason: 'device_reported' }));
    expect(alerts.find((a) => a.kind === 'metric_out_of_range')?.rule_key).toBe('temp_c');
    expect(alerts.find((a) => a.kind === 'sorter_throughput_drop')?.subject_id).toBe('zone-7');

    // Every change is audited: opened then resolved, for each alert.
    const events = (await db.raw(`SELECT alert_id, action FROM alert_events WHERE tenant = 'acme' ORDER BY seq`)).rows as { alert_id: number; action: string }[];
    for (const a of alerts) expect(events.filter((e) => e.alert_id === a.id).map((e) => e.action)).toEqual(['opened', 'resolved']);

    // The resumed SSE client misses nothing: together the two connections saw every event once, in order.
    const all = await eventIdsOf(db, 'acme');
    const second = openSse(`${stack.api.url}/v1/alerts/stream`, { 'x-api-key': acmeRead, 'last-event-id': lastSeen });
    expect(await second.status).toBe(200);
    await waitFor('the resumed stream to catch up', async () => second.events.length >= all.filter((id) => Number(id) > Number(lastSeen)).length, 20_000);
    second.close();
    const seen = [...first.events, ...second.events].map((e) => e.id);
    expect(seen).toEqual(all);
    expect(JSON.parse(second.events[0]!.data)).toEqual(expect.objectContaining({ eventId: second.events[0]!.id, alert: expect.objectContaining({ id: expect.any(String) }) }));

    // The receiver that failed twice got each event exactly once (by id) on the third try, signed;
    // the one that always fails was given up after 4 tries and shows as failed.
    await waitFor('webhook deliveries to settle', async () =>
      Number((await db.raw(`SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'pending'`)).rows[0].n) === 0, 30_000);
    expect([...flaky.accepted.keys()].sort()).toEqual([...all].sort());
    for (const id of all) expect(flaky.tries.get(id)).toBe(3);
    for (const { body, signature } of flaky.accepted.values()) expect(verifyWebhook('a-long-shared-secret', body, signature)).toBe(true);
    const deliveries = (await db.raw(`SELECT w.url, d.state, d.attempts FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id`)).rows as { url: string; state: string; attempts: number }[];
    expect(deliveries.filter((d) => d.url === flaky.url).every((d) => d.state === 'delivered' && d.attempts === 3)).toBe(true);
    expect(deliveries.filter((d) => d.url === broken.url).every((d) => d.state === 'failed' && d.attempts === 4)).toBe(true);
    const failedList = (await (await api(acmeAdmin, '/v1/webhooks/deliveries?state=failed')).json()) as { deliveries: unknown[] };
    expect(failedList.deliveries).toHaveLength(all.length);
    await flaky.close();
    await broken.close();
  });

  it('lets people acknowledge and resolve, and keeps tenants apart', async () => {
    const now = Date.now();
    await stack.publish('acme', [report('truck-5', now, { metrics: { battery_pct: 3 } })]);
    await stack.publish('globex', [report('truck-5', now, { metrics: { battery_pct: 4 } })]);
    await waitFor('both tenants to have an open alert', async () =>
      (await stack.database.db('alerts').where({ state: 'open', kind: 'battery_low' })).length === 2, 20_000);
    const acmeOpen = (await (await api(acmeRead, '/v1/alerts?state=open')).json()) as { alerts: { id: string; deviceId: string; location: unknown }[] };
    expect(acmeOpen.alerts).toHaveLength(1);
    const id = acmeOpen.alerts[0]!.id;

    // Tenant B sees none of A's alerts and cannot touch them: A's id does not exist for B.
    const globexAll = (await (await api(globex, '/v1/alerts')).json()) as { alerts: { id: string }[] };
    expect(globexAll.alerts.map((a) => a.id)).not.toContain(id);
    expect(globexAll.alerts).toHaveLength(1);
    expect((await api(globex, `/v1/alerts/${id}/ack`, { method: 'POST' })).status).toBe(404);
    expect((await api(globex, `/v1/alerts/${id}/resolve`, { method: 'POST', body: '{}' })).status).toBe(404);
    const globexStream = openSse(`${stack.api.url}/v1/alerts/stream`, { 'x-api-key': globex, 'last-event-id': '0' });
    await waitFor('globex history', async () => globexStream.events.length >= 1, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    globexStream.close();
    expect(globexStream.events.every((e) => (JSON.parse(e.data) as { alert: { deviceId: string; id: string } }).alert.id !== id)).toBe(true);
    expect(globexStream.events).toHaveLength(1);

    const acked = await api(acmeRead, `/v1/alerts/${id}/ack`, { method: 'POST' });
    expect(acked.status).toBe(200);
    expect(await acked.json()).toEqual(expect.objectContaining({ state: 'acknowledged', acknowledgedBy: expect.stringMatching(/^key:/) }));
    expect((await api(acmeRead, `/v1/alerts/${id}/ack`, { method: 'POST' })).status).toBe(409);
    const resolved = await api(acmeRead, `/v1/alerts/${id}/resolve`, { method: 'POST', body: JSON.stringify({ reason: 'battery swapped' }) });
    expect(await resolved.json()).toEqual(expect.objectContaining({ state: 'resolved', resolveReason: 'battery swapped' }));
    const audit = (await stack.database.db.raw(`SELECT action, actor, reason FROM alert_events WHERE alert_id = ? ORDER BY seq`, [id])).rows as { action: string; actor: string; reason: string | null }[];
    expect(audit.map((a) => a.action)).toEqual(['opened', 'acknowledged', 'resolved']);
    expect(audit[2]!.reason).toBe('battery swapped');
  });

  it('answers a bad request with 400 listing each field path, and documents the API', async () => {
    const bad = await api(acmeRead, '/v1/alerts?state=bogus&limit=0');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).toBe('FC_VALIDATION');
    expect(body.error.details.issues.map((i) => i.path).sort()).toEqual(['limit', 'state.0']);
    const rules = await api(acmeAdmin, '/v1/alert-rules', { method: 'PUT', body: JSON.stringify({ batteryPct: { raise: 'low' }, geofences: [{ id: 'x' }] }) });
    expect(rules.status).toBe(400);
    const paths = ((await rules.json()) as { error: { details: { issues: { path: string }[] } } }).error.details.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['batteryPct.raise', 'geofences.0.alertOn', 'geofences.0.geometry']));
    expect((await api(acmeRead, '/v1/alert-rules')).status).toBe(403);
    const predict = await api(await stack.key('acme', ['predict']), '/v1/predictions/delay', { method: 'POST', body: JSON.stringify({ from: 'A', to: 'B', mode: 'air', plannedDeparture: new Date().toISOString(), plannedArrival: new Date().toISOString() }) });
    expect(predict.status).toBe(503);
    const doc = (await (await fetch(`${stack.api.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/alerts', '/v1/alerts/{id}/ack', '/v1/alerts/stream', '/v1/shipments/{id}', '/v1/predictions/delay']));
  });
});
