import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { createMetricsRegistry } from '../../core/metrics';
import { createApiKey } from '../../core/store/create-api-key';
import { defaultCatalog } from '../../features/definitions';
import { firstReadableAt } from '../../features/feature-retention';
import { pruneFeatureState } from '../../features/store/prune-feature-state';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { createApp } from '../../serving/app';
import { featureIngest } from './support/feature-ingest';
import { createTestDatabase, type TestDatabase } from './support/test-env';

/** GET /v1/features/:entityType/:id: the online features of the caller's tenant, read scope only. */
describe('HTTP: GET /v1/features/:entityType/:id', () => {
  let t: TestDatabase;
  let server: Server;
  let base: string;
  const keys = { read: '', ingest: '', other: '' };
  const t0 = Date.UTC(2026, 0, 5, 10, 0, 0);

  beforeAll(async () => {
    t = await createTestDatabase('fc_api_feat');
    keys.read = (await createApiKey(t.db, { tenant: 'acme', scopes: ['read'] })).key;
    keys.ingest = (await createApiKey(t.db, { tenant: 'acme', scopes: ['ingest'] })).key;
    keys.other = (await createApiKey(t.db, { tenant: 'globex', scopes: ['read'] })).key;
    await upsertShipmentLegs(t.db, 'acme', [{ shipmentId: 's1', seq: 0, mode: 'air', from: 'ATL', to: 'ORD', plannedDeparture: t0, plannedArrival: t0 + 7_200_000 }]);
    const ingest = featureIngest(t.db, { tenant: 'acme' });
    await ingest.deliver([
      { id: 'a', deviceId: 'f1', ts: new Date(t0 + 600_000).toISOString(), shipmentId: 's1', hub: 'ATL', event: { code: 'departed' } },
      { id: 'b', deviceId: 'f1', ts: new Date(t0 + 7_200_000 + 1_800_000).toISOString(), shipmentId: 's1', hub: 'ORD', event: { code: 'arrived' } },
    ]);
    const config = loadConfig({ DATABASE_URL: t.url });
    const app = createApp({ config, db: t.db, transport: { publish: async () => undefined }, logger: createLogger({ level: 'silent' }), metricsRegistry: createMetricsRegistry('test') });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.drop();
  });

  const get = async (path: string, key: string) => {
    const res = await fetch(`${base}${path}`, { headers: { 'x-api-key': key } });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('shows a hub\'s features with their freshness', async () => {
    const at = new Date(t0 + 3 * 3_600_000).toISOString();
    const { status, body } = await get(`/v1/features/hub/ORD?at=${at}`, keys.read);
    expect(status).toBe(200);
    expect(body.entity).toEqual({ type: 'hub', id: 'ORD' });
    expect(body.features['hub.arrivals_3h']).toEqual({ value: 1, asOf: at, lastEventAt: new Date(t0 + 9_000_000).toISOString() });
    expect(body.features['hub.arrival_delay_mean_3h'].value).toBe(30);
    const lane = await get(`/v1/features/lane/${encodeURIComponent('ATL->ORD')}?at=${at}`, keys.read);
    expect(lane.body.features['lane.delay_mean_24h'].value).toBe(30);
  });

  it('answers only the caller\'s tenant, with read scope, and refuses an unknown entity type or a bad time', async () => {
    const at = new Date(t0 + 3 * 3_600_000).toISOString();
    expect((await get(`/v1/features/hub/ORD?at=${at}`, keys.other)).body.features['hub.arrivals_3h'].value).toBe(0);
    expect((await get('/v1/features/hub/ORD', keys.ingest)).status).toBe(403);
    expect((await get('/v1/features/hub/ORD', 'fc_nope')).status).toBe(401);
    const bad = await get('/v1/features/planet/mars', keys.read);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/unknown entity type "planet"/);
    expect((await get('/v1/features/hub/ORD?at=yesterday', keys.read)).status).toBe(400);
  });

  it('refuses a past read whose windows reach before what the feature retention deleted (runs last: it prunes)', async () => {
    const prunedBefore = t0 + 3_600_000;
    await pruneFeatureState(t.db, { before: prunedBefore });
    // A hub's windows reach back 24 h and 15 min: its first readable instant, not the catalog's (7 days for shipments).
    const first = firstReadableAt(prunedBefore, defaultCatalog, 'hub');
    expect(first).toBe(prunedBefore + 24 * 3_600_000 + 15 * 60_000);
    const refused = await get(`/v1/features/hub/ORD?at=${new Date(t0 + 3 * 3_600_000).toISOString()}`, keys.read);
    expect(refused.status).toBe(410);
    expect(refused.body.error).toMatchObject({ code: 'FC_FEATURES_PRUNED', details: { prunedBefore, firstReadableAt: first } });
    expect(refused.body.error.message).toContain(`ask for ${new Date(first).toISOString()} or later`);
    expect((await get(`/v1/features/hub/ORD?at=${new Date(first - 1).toISOString()}`, keys.read)).status).toBe(410);
    expect((await get(`/v1/features/hub/ORD?at=${new Date(first).toISOString()}`, keys.read)).status).toBe(200);
    expect((await get('/v1/features/hub/ORD', keys.read)).status).toBe(200);
  });
});
