import type { StoredReport } from '../../core/store/insert-reports';
import { createCatalog } from '../../features/catalog';
import { defaultCatalog } from '../../features/definitions';
import type { EntityRef } from '../../features/entity';
import { extractObservations } from '../../features/extract-observations';
import { getHistoricalFeatureColumns, getHistoricalFeatures } from '../../features/historical-features';
import type { Observation } from '../../features/observation';
import { getOnlineFeatures } from '../../features/online-features';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { seededRandom } from '../../pipelines/sample-reports';
import { bruteForceFeatures } from './support/brute-force-features';
import { featureIngest, randomBatches } from './support/feature-ingest';
import { featureStream, type FeatureStream } from './support/feature-stream';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const tenant = 'acme';
const hour = 3_600_000;
const lateness = 15 * 60_000;

/** The oracle's input: the observations of every delivered report (none is late in these streams). */
function observationsOf(stream: FeatureStream): Observation[] {
  const legs = (_t: string, id: string) => stream.legs.filter((l) => l.shipmentId === id);
  return stream.reports.flatMap((report) => extractObservations({ tenant, report } as StoredReport, legs));
}

/** Read times: random instants, tile edges and event times (and a millisecond either side). */
function readTimes(stream: FeatureStream, random: () => number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = random();
    const event = Date.parse((stream.reports[Math.floor(random() * stream.reports.length)] as { ts: string }).ts);
    if (r < 0.4) out.push(stream.startMs + Math.floor(random() * (stream.endMs - stream.startMs + 2 * hour)));
    else if (r < 0.6) out.push(Math.ceil(event / 60_000) * 60_000);
    else out.push(event + Math.floor(random() * 3) - 1);
  }
  return out;
}

function expectAgree(label: string, online: Record<string, number | null>, historical: Record<string, number | null>, brute: Record<string, number | null>): void {
  // Online and historical run the same evaluator on the same integer tiles: identical.
  expect({ label, values: historical }).toEqual({ label, values: online });
  for (const [name, expected] of Object.entries(brute)) {
    const actual = online[name];
    if (name.includes('ewma') && expected !== null && actual !== null && actual !== undefined) {
      expect({ label, name, close: Math.abs(actual - expected) <= 1e-3 * Math.max(1, Math.abs(expected)) }).toEqual({ label, name, close: true });
    } else {
      expect({ label, name, value: actual }).toEqual({ label, name, value: expected });
    }
  }
}

describe('rolling features: online, historical and brute force agree', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase('fc_feat');
  });
  afterEach(async () => {
    await t.drop();
  });

  it.each([1, 2, 3])('on a random out-of-order stream (seed %i)', async (seed) => {
    const stream = featureStream(seed, 1500, 8 * hour, lateness * 0.9);
    await upsertShipmentLegs(t.db, tenant, stream.legs);
    const random = seededRandom(seed * 7919);
    const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: lateness });
    for (const batch of randomBatches(stream.reports, 80, random)) await ingest.deliver(batch);
    expect(await ingest.registry.getSingleMetricAsString('flowcast_feature_dropped_late_total')).toMatch(/ 0$/m);

    const observations = observationsOf(stream);
    const times = readTimes(stream, random, 40);
    const rows = times.flatMap((at) => stream.entities.map((entity) => ({ entity, at })));
    const historical = await getHistoricalFeatures(t.db, { tenant, rows, entitiesPerQuery: 7 });
    // The columnar read holds the same numbers (NaN for null and for features of other entity types).
    const columns = await getHistoricalFeatureColumns(t.db, { tenant, rows, entitiesPerQuery: 5 });
    historical.forEach((vector, i) => {
      for (const [name, column] of columns) {
        const v = column[i] as number;
        expect({ i, name, value: Number.isNaN(v) ? null : v }).toEqual({ i, name, value: vector.values[name] ?? null });
      }
    });
    let nonEmpty = 0;
    for (const [i, at] of times.entries()) {
      const online = await getOnlineFeatures(t.db, { tenant, entities: stream.entities, at });
      online.forEach((vector, j) => {
        const entity = stream.entities[j] as EntityRef;
        const h = historical[i * stream.entities.length + j];
        expectAgree(`${entity.type}/${entity.id}@${new Date(at).toISOString()}`, vector.values, h?.values ?? {}, bruteForceFeatures(defaultCatalog, observations, tenant, entity, at));
        nonEmpty += Object.values(vector.values).filter((v) => v !== null && v !== 0).length;
      });
    }
    // The comparison is about real values, not a sea of empty windows.
    expect(nonEmpty).toBeGreaterThan(times.length * 10);
  });

  it('with a catalog where one series feeds both last-value and windowed features', async () => {
    // Online reads fetch such a series' windows in stretches and its newest tile apart, and merge them.
    const series = (name: string) => defaultCatalog.series.get(name)!;
    const delay = defaultCatalog.features.find((f) => f.name === 'hub.arrival_delay_mean_3h')!.series;
    const speed = defaultCatalog.features.find((f) => f.name === 'device.speed_mean_15m')!.series;
    const catalog = createCatalog([series(delay), series(speed)], [
      { name: 'hub.arrival_delay_last_3h', entity: 'hub', aggregation: 'last', series: delay, windowMs: 3 * hour, description: 'x' },
      { name: 'hub.arrival_delay_mean_3h', entity: 'hub', aggregation: 'mean', series: delay, windowMs: 3 * hour, description: 'x' },
      { name: 'device.speed_last_1h', entity: 'device', aggregation: 'last', series: speed, windowMs: hour, description: 'x' },
      { name: 'device.seconds_since_speed_1h', entity: 'device', aggregation: 'seconds_since_last', series: speed, windowMs: hour, description: 'x' },
      { name: 'device.speed_max_15m', entity: 'device', aggregation: 'max', series: speed, windowMs: 15 * 60_000, description: 'x' },
    ]);
    const stream = featureStream(13, 800, 4 * hour, lateness * 0.9);
    await upsertShipmentLegs(t.db, tenant, stream.legs);
    const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: lateness });
    for (const batch of randomBatches(stream.reports, 60, seededRandom(8))) await ingest.deliver(batch);
    const observations = observationsOf(stream);
    const entities = stream.entities.filter((e) => e.type === 'hub' || e.type === 'device');
    const times = readTimes(stream, seededRandom(9), 25);
    const historical = await getHistoricalFeatures(t.db, { tenant, catalog, rows: times.flatMap((at) => entities.map((entity) => ({ entity, at }))) });
    let nonEmpty = 0;
    for (const [i, at] of times.entries()) {
      const online = await getOnlineFeatures(t.db, { tenant, entities, at, catalog });
      online.forEach((vector, j) => {
        const entity = entities[j] as EntityRef;
        const h = historical[i * entities.length + j];
        expectAgree(`${entity.type}/${entity.id}@${at}`, vector.values, h?.values ?? {}, bruteForceFeatures(catalog, observations, tenant, entity, at));
        nonEmpty += Object.values(vector.values).filter((v) => v !== null && v !== 0).length;
      });
    }
    expect(nonEmpty).toBeGreaterThan(times.length * 5);
  });

  it('an event at t + 1 ms never changes any value at t (no leakage)', async () => {
    const stream = featureStream(11, 800, 4 * hour, lateness * 0.9);
    await upsertShipmentLegs(t.db, tenant, stream.legs);
    const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: lateness });
    for (const batch of randomBatches(stream.reports, 50, seededRandom(5))) await ingest.deliver(batch);

    const leg = stream.legs[0]!;
    // Within the allowed lateness of the newest event, so the probe events count.
    const probes = [stream.endMs - 10 * 60_000, stream.endMs - 5 * 60_000 + 15_000, stream.endMs - 60_000 + 1];
    for (const [k, at] of probes.entries()) {
      const before = await getOnlineFeatures(t.db, { tenant, entities: stream.entities, at });
      const next = new Date(at + 1).toISOString();
      await ingest.deliver([
        { id: `leak-a${k}`, deviceId: 'd0', ts: next, location: { lat: 1, lon: 1, speedKph: 999 }, metrics: { battery_pct: 1 } },
        { id: `leak-b${k}`, deviceId: 'x', ts: next, shipmentId: leg.shipmentId, hub: leg.to, event: { code: 'arrived' }, metrics: { delay_min: 999 } },
        { id: `leak-c${k}`, deviceId: 'x', ts: next, shipmentId: leg.shipmentId, hub: leg.from, event: { code: 'departed' } },
        { id: `leak-d${k}`, deviceId: 'z', ts: next, hub: 'ATL/z1', metrics: { parcels: 500, rejects: 400 } },
        { id: `leak-e${k}`, deviceId: 'z', ts: next, hub: 'ATL/z2', event: { code: 'jam' } },
      ]);
      const after = await getOnlineFeatures(t.db, { tenant, entities: stream.entities, at });
      const historical = await getHistoricalFeatures(t.db, { tenant, rows: stream.entities.map((entity) => ({ entity, at })) });
      expect(after.map((v) => v.values)).toEqual(before.map((v) => v.values));
      expect(historical.map((v) => v.values)).toEqual(before.map((v) => v.values));
      // ...and the events did land: a read a tile later sees them.
      const later = await getOnlineFeatures(t.db, { tenant, entities: [{ type: 'hub', id: leg.to }], at: at + 6 * 60_000 });
      expect(later[0]?.values['hub.arrival_delay_max_3h']).toBe(999);
    }
  });

  it('a report later than the allowed lateness is counted as dropped-late and changes nothing', async () => {
    const stream = featureStream(12, 300, 2 * hour, lateness * 0.9);
    await upsertShipmentLegs(t.db, tenant, stream.legs);
    const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: lateness });
    for (const batch of randomBatches(stream.reports, 50, seededRandom(6))) await ingest.deliver(batch);
    const at = stream.endMs + hour;
    const before = await getOnlineFeatures(t.db, { tenant, entities: stream.entities, at });
    const newest = Math.max(...stream.reports.map((r) => Date.parse(r.ts)));
    const outcome = await ingest.deliver([
      // Microseconds as well: stored to the millisecond, and still found to be left out.
      { id: 'late-1', deviceId: 'd1', ts: new Date(newest - lateness - 1).toISOString().replace('Z', '999Z'), metrics: { battery_pct: 3 } },
      { id: 'on-time-1', deviceId: 'd2', ts: new Date(newest - lateness).toISOString(), metrics: { battery_pct: 4 } },
    ]);
    expect(outcome.stored).toBe(2);
    expect(await ingest.registry.getSingleMetricAsString('flowcast_feature_dropped_late_total')).toMatch(/ 1$/m);
    const after = await getOnlineFeatures(t.db, { tenant, entities: stream.entities, at });
    const d1 = stream.entities.findIndex((e) => e.type === 'device' && e.id === 'd1');
    expect(after[d1]?.values).toEqual(before[d1]?.values);
    // The report is stored all the same: only the features leave it out.
    expect(await t.db('reports').where({ report_id: 'late-1' }).select('in_features')).toEqual([{ in_features: false }]);
  });
});
