import type { Report } from '../core/report';

/** A small seeded generator (mulberry32): the same seed gives the same reports on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleReportOptions {
  /** Number of distinct devices the reports come from. */
  devices: number;
  /** Event time of the first report, epoch ms. */
  startMs: number;
  /** Seconds between two reports of one device; default 60. */
  intervalSeconds?: number;
  seed?: number;
}

const hubs = ['ATL', 'ORD', 'DFW', 'DEN', 'LAX', 'JFK', 'SEA', 'MIA', 'PHX', 'BOS'];

/**
 * Realistic truck tracker reports: position drifting along a route, speed, battery draining,
 * occasional departed/arrived events. Report i comes from device i mod devices.
 */
export function* sampleReports(options: SampleReportOptions): Generator<Report> {
  const random = seededRandom(options.seed ?? 1);
  const interval = (options.intervalSeconds ?? 60) * 1000;
  for (let i = 0; ; i++) {
    const device = i % options.devices;
    const round = Math.floor(i / options.devices);
    const ts = options.startMs + round * interval + Math.floor((device / options.devices) * interval);
    const event = random() < 0.02 ? { code: random() < 0.5 ? 'departed' : 'arrived' } : undefined;
    yield {
      id: `r-${round}`,
      deviceId: `truck-${device}`,
      ts: new Date(ts).toISOString(),
      location: {
        lat: 30 + ((device * 7) % 15) + random() * 0.01 * round,
        lon: -120 + ((device * 13) % 45) + random() * 0.01 * round,
        accuracyM: Math.round(3 + random() * 12),
        speedKph: Math.round(random() * 1100) / 10,
        headingDeg: Math.floor(random() * 360),
      },
      shipmentId: `shp-${device}-${Math.floor(round / 50)}`,
      hub: hubs[device % hubs.length],
      metrics: { battery_pct: Math.max(1, 100 - round * 0.05 - (device % 20)), temp_c: Math.round((2 + random() * 6) * 10) / 10 },
      ...(event ? { event } : {}),
    };
  }
}
