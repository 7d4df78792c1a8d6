import type { Report } from '../../../core/report';
import { laneId, networkId, type EntityRef } from '../../../features/entity';
import type { ShipmentLeg } from '../../../features/shipment-leg';
import { seededRandom } from '../../../pipelines/sample-reports';

/**
 * A random stream for the feature tests: devices reporting speed and battery, shipments with
 * planned legs departing and arriving (some without hub, some stating delay_min, some unknown),
 * sorter zones with parcels, rejects and jams. Delivered out of order by less than `maxDisorderMs`.
 */
export interface FeatureStream {
  legs: ShipmentLeg[];
  /** In delivery order. */
  reports: Report[];
  entities: EntityRef[];
  startMs: number;
  endMs: number;
}

const hubs = ['ATL', 'ORD', 'DFW'];
const zones = ['ATL/z1', 'ATL/z2'];
const minute = 60_000;

export function featureStream(seed: number, count: number, spanMs: number, maxDisorderMs: number): FeatureStream {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const startMs = Date.UTC(2026, 0, 5, 6, 0, 0) + 1234;
  const legs: ShipmentLeg[] = [];
  for (let s = 0; s < 8; s++) {
    const from = pick(hubs);
    const to = pick(hubs.filter((h) => h !== from));
    const dep = startMs + Math.floor(random() * spanMs);
    legs.push({ shipmentId: `s${s}`, seq: 0, mode: 'road', from, to, plannedDeparture: dep, plannedArrival: dep + 90 * minute });
  }
  const timed: { ts: number; report: Report }[] = [];
  for (let i = 0; i < count; i++) {
    const ts = startMs + Math.floor(random() * spanMs);
    timed.push({ ts, report: makeReport(i, ts, random, pick, legs) });
  }
  // Bounded disorder: delivering by ts + jitter keeps every report within maxDisorderMs of the newest before it.
  const reports = timed
    .map((t) => ({ key: t.ts + random() * maxDisorderMs, report: t.report }))
    .sort((a, b) => a.key - b.key)
    .map((t) => t.report);
  const entities: EntityRef[] = [
    ...hubs.map((id) => ({ type: 'hub' as const, id })),
    ...[...new Set(legs.map((l) => laneId(l.from, l.to)))].map((id) => ({ type: 'lane' as const, id })),
    ...['d0', 'd1', 'd2', 'd3'].map((id) => ({ type: 'device' as const, id })),
    ...zones.map((id) => ({ type: 'zone' as const, id })),
    ...legs.map((l) => ({ type: 'shipment' as const, id: l.shipmentId })),
    { type: 'network', id: networkId },
  ];
  return { legs, reports, entities, startMs, endMs: startMs + spanMs };
}

function makeReport(i: number, ts: number, random: () => number, pick: <T>(xs: readonly T[]) => T, legs: ShipmentLeg[]): Report {
  const base = { id: `r${i}`, ts: new Date(ts).toISOString() };
  const kind = random();
  if (kind < 0.5) {
    return {
      ...base, deviceId: pick(['d0', 'd1', 'd2', 'd3']),
      ...(random() < 0.8 ? { location: { lat: 33.6, lon: -84.4, speedKph: Math.round(random() * 12000) / 100 } } : {}),
      ...(random() < 0.7 ? { metrics: { battery_pct: Math.round(random() * 1000) / 10 } } : {}),
    };
  }
  if (kind < 0.8) {
    const leg = random() < 0.9 ? pick(legs) : undefined;
    const code = random() < 0.5 ? 'departed' : 'arrived';
    const hub = leg ? (code === 'departed' ? leg.from : leg.to) : pick(hubs);
    return {
      ...base, deviceId: `tracker-${leg?.shipmentId ?? 'x'}`, shipmentId: leg?.shipmentId ?? 'unknown-shipment',
      ...(random() < 0.85 ? { hub } : {}), event: { code },
      ...(random() < 0.1 ? { metrics: { delay_min: Math.round(random() * 600) / 10 } } : {}),
    };
  }
  const zone = pick(zones);
  const parcels = Math.floor(random() * 200);
  return {
    ...base, deviceId: `sorter-${zone}`, hub: zone,
    ...(random() < 0.1 ? { event: { code: 'jam' } } : { metrics: { parcels, rejects: Math.floor(random() * parcels * 0.05) } }),
  };
}
