import { startAlertsStack, type AlertsStack } from './support/alerts-stack';
import { waitFor } from './support/spawn-flowcast';

const hour = 3_600_000;

/** PUT /v1/shipments/:id books a plan that GET, scoring and the rolling features then use. */
describe('HTTP: booking shipments (real PostgreSQL and Redis)', () => {
  let stack: AlertsStack;
  const keys = { ingest: '', read: '', other: '' };
  const t0 = Date.now() - hour;
  const iso = (ms: number) => new Date(ms).toISOString();
  const plan = [
    { mode: 'road', from: 'HAM', to: 'FRA', plannedDeparture: iso(t0), plannedArrival: iso(t0 + 4 * hour) },
    { mode: 'rail', from: 'FRA', to: 'MUC', plannedDeparture: iso(t0 + 5 * hour), plannedArrival: iso(t0 + 9 * hour), carrier: 'DB Cargo' },
  ];

  beforeAll(async () => {
    stack = await startAlertsStack({ scorer: async () => undefined });
    keys.ingest = await stack.key('acme', ['ingest']);
    keys.read = await stack.key('acme', ['read']);
    keys.other = await stack.key('globex', ['ingest', 'read']);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${stack.api.url}${path}`, {
      method, headers: { 'x-api-key': key, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('books a plan, answers as GET, and scoring follows the shipment once its tracker reports', async () => {
    const booked = await call('PUT', '/v1/shipments/S1', keys.ingest, { legs: plan });
    expect(booked.status).toBe(200);
    expect(booked.body).toEqual(expect.objectContaining({ id: 'S1', status: 'planned', plannedArrival: iso(t0 + 9 * hour) }));
    expect(booked.body.legs).toEqual([
      { seq: 0, mode: 'road', from: 'HAM', to: 'FRA', plannedDeparture: iso(t0), plannedArrival: iso(t0 + 4 * hour), carrier: null },
      { seq: 1, mode: 'rail', from: 'FRA', to: 'MUC', plannedDeparture: iso(t0 + 5 * hour), plannedArrival: iso(t0 + 9 * hour), carrier: 'DB Cargo' },
    ]);

    await stack.publish('acme', [{ id: 'r1', deviceId: 'truck-1', ts: iso(Date.now() - 60_000), shipmentId: 'S1', location: { lat: 51.5, lon: 9.9 } }]);
    await waitFor('the shipment to be in transit', async () => (await call('GET', '/v1/shipments/S1', keys.read)).body.status === 'in_transit', 20_000);
    const seen = await call('GET', '/v1/shipments/S1', keys.read);
    expect(seen.body).toEqual(expect.objectContaining({ currentLegSeq: 0, lastPosition: expect.objectContaining({ lat: 51.5, lon: 9.9, deviceId: 'truck-1' }) }));
  });

  it('replaces the whole plan: a shorter plan drops the legs beyond it', async () => {
    const shorter = await call('PUT', '/v1/shipments/S1', keys.ingest, { legs: [{ ...plan[0], to: 'MUC', plannedArrival: iso(t0 + 8 * hour) }] });
    expect(shorter.status).toBe(200);
    expect(shorter.body.legs).toEqual([expect.objectContaining({ seq: 0, from: 'HAM', to: 'MUC', plannedArrival: iso(t0 + 8 * hour) })]);
    const [row] = (await stack.database.db('shipment_legs').where({ tenant: 'acme', shipment_id: 'S1' }).count('* as n')) as { n: unknown }[];
    expect(Number(row?.n)).toBe(1);
  });

  it('rejects a plan that does not hold together, naming each field', async () => {
    const broken = await call('PUT', '/v1/shipments/S2', keys.ingest, {
      legs: [
        { ...plan[0], plannedArrival: iso(t0 - hour) },
        { ...plan[1], from: 'BER', plannedDeparture: iso(t0 + 3 * hour), mode: 'boat' },
      ],
    });
    expect(broken.status).toBe(400);
    const pathsOf = (body: Record<string, any>) => (body.error.details.issues as { path: string }[]).map((d) => d.path); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(broken.body.error.code).toBe('FC_VALIDATION');
    expect(pathsOf(broken.body)).toContain('legs.1.mode');
    expect((await call('PUT', '/v1/shipments/S2', keys.ingest, { legs: [] })).status).toBe(400);
    expect((await call('GET', '/v1/shipments/S2', keys.read)).status).toBe(404);

    // Once the modes are right, the other rules speak: arrival before departure, a gap in the route, an overlap.
    const rules = await call('PUT', '/v1/shipments/S2', keys.ingest, {
      legs: [{ ...plan[0], plannedArrival: iso(t0 - hour) }, { ...plan[1], from: 'BER', plannedDeparture: iso(t0 - 2 * hour) }],
    });
    expect(rules.status).toBe(400);
    expect(pathsOf(rules.body)).toEqual(['legs.0.plannedArrival', 'legs.1.from', 'legs.1.plannedDeparture']);
  });

  it('needs the ingest scope and keeps tenants apart', async () => {
    expect((await call('PUT', '/v1/shipments/S3', keys.read, { legs: plan })).status).toBe(403);
    expect((await call('GET', '/v1/shipments/S1', keys.other)).status).toBe(404);
    expect((await call('PUT', '/v1/shipments/S1', keys.other, { legs: plan })).status).toBe(200);
    const mine = await call('GET', '/v1/shipments/S1', keys.read);
    expect(mine.body.legs).toHaveLength(1);
  });
});
