import type { Report } from '../../core/report';
import { seededRandom } from '../sample-reports';
import { round, type DeviceGenerator, type Tick } from './device-generator';
import { inWindow, planFault, type FaultOption, type FaultWindow } from './fault-window';
import { deviceSeed, hashRandom } from './hash-random';
import type { Hub } from './hubs';
import type { SorterFault, TruthLog } from './planted-condition';

type SorterFaultKind = SorterFault['kind'];

interface Sorter {
  hub: Hub;
  zone: string;
  /** Parcels per minute at the daily peak. */
  peakPerMin: number;
  /** Normal share of parcels rejected (no-read, oversize), 0.4–1.2 %. */
  rejectShare: number;
  fault?: FaultWindow<SorterFaultKind>;
}

export interface SorterGeneratorOptions {
  devices: number;
  seed: number;
  hubs: readonly Hub[];
  truth: TruthLog;
  faultRate: number;
}

const salt = 0x5027;
const faults: FaultOption<SorterFaultKind>[] = [
  { kind: 'sorter-jam', minMinutes: 5, maxMinutes: 20 },
  { kind: 'sorter-slowdown', minMinutes: 15, maxMinutes: 45 },
  { kind: 'sorter-reject-spike', minMinutes: 10, maxMinutes: 30 },
];

/**
 * Parcel sorter machines, one per zone of a hub (zone = `HUB-Zn`, the report's hub): per-minute
 * parcels, rejects and jams, belt speed, following a daily curve (night sort peak). Planted
 * faults: a jam (throughput near zero, jams = 1, a `jam` event when it starts), a slowdown
 * (30–50 % of normal throughput) and a reject spike (8–15 % rejected).
 */
export class SorterGenerator implements DeviceGenerator {
  readonly kind = 'sorters';
  readonly devices: number;
  private readonly sorters: (Sorter | undefined)[];

  constructor(private readonly options: SorterGeneratorOptions) {
    this.devices = options.devices;
    this.sorters = new Array<Sorter | undefined>(options.devices);
  }

  deviceId(local: number): string {
    return `sorter-${this.zoneOf(local)}`;
  }

  /** Zones fill hubs round-robin: device 0 is zone 1 of the first hub, device 50 zone 2 of it. */
  zoneOf(local: number): string {
    const { hubs } = this.options;
    return `${hubs[local % hubs.length]!.code}-Z${Math.floor(local / hubs.length) + 1}`;
  }

  tick(local: number, tick: Tick): Report | undefined {
    const s = (this.sorters[local] ??= this.start(local, tick));
    const noise = hashRandom(this.options.seed, local, tick.round, 2);
    const fault = inWindow(s.fault, tick.ts) ? s.fault!.kind : undefined;
    const normal = s.peakPerMin * dailyLoad(tick.ts) * (0.96 + 0.08 * noise);
    const parcels = Math.round(fault === 'sorter-jam' ? normal * 0.05 * noise : fault === 'sorter-slowdown' ? normal * (0.3 + 0.2 * noise) : normal);
    const share = fault === 'sorter-reject-spike' ? 0.08 + 0.07 * noise : s.rejectShare;
    const report: Report = {
      id: `t${tick.round}`,
      deviceId: this.deviceId(local),
      ts: new Date(tick.ts).toISOString(),
      location: { lat: s.hub.lat, lon: s.hub.lon },
      hub: s.zone,
      metrics: {
        parcels,
        rejects: Math.round(parcels * share),
        jams: fault === 'sorter-jam' ? 1 : 0,
        belt_speed_mps: round(fault === 'sorter-jam' ? 0 : fault === 'sorter-slowdown' ? 1.1 : 2.4 + 0.1 * noise, 2),
      },
    };
    // The first report inside a jam announces it.
    if (fault === 'sorter-jam' && tick.ts - tick.intervalMs < s.fault!.fromMs) report.event = { code: 'jam', detail: `zone ${s.zone} stopped` };
    return report;
  }

  private start(local: number, tick: Tick): Sorter {
    const { hubs, seed, truth, faultRate } = this.options;
    const random = seededRandom(deviceSeed(seed, salt, local));
    const s: Sorter = {
      hub: hubs[local % hubs.length]!,
      zone: this.zoneOf(local),
      peakPerMin: Math.round(500 + 1000 * random()),
      rejectShare: 0.004 + 0.008 * random(),
    };
    s.fault = planFault(random, faults, faultRate, tick.ts, tick.endMs);
    if (s.fault) truth.add({ kind: s.fault.kind, deviceId: this.deviceId(local), zone: s.zone }, s.fault.fromMs, s.fault.toMs);
    return s;
  }
}

/**
 * Share of peak throughput by US Central time of day: the night sort (22:00–04:00) runs at peak,
 * the day at about 55 %, with smooth ramps — slow enough that a rolling baseline follows it.
 */
export function dailyLoad(ts: number): number {
  const hour = ((ts / 3_600_000 - 6) % 24 + 24) % 24;
  return 0.775 + 0.225 * Math.cos(((hour - 1) / 24) * 2 * Math.PI);
}
