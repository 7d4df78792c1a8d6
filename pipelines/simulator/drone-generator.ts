import type { Report } from '../../core/report';
import { seededRandom } from '../sample-reports';
import { round, type DeviceGenerator, type Tick } from './device-generator';
import { inWindow, planFault, type FaultOption, type FaultWindow } from './fault-window';
import { offsetKm } from './geo';
import { deviceSeed, hashRandom } from './hash-random';
import type { Hub } from './hubs';
import { simulatorThresholds, type TruthLog } from './planted-condition';

type DroneFault = 'device-silent' | 'low-battery' | 'drone-high-risk';

interface Drone {
  deviceId: string;
  base: Hub;
  /** Radius of its inspection orbit around the base, km, and one orbit's duration, ms. */
  orbitKm: number;
  orbitMs: number;
  /** Where in its 60-minute fly/charge cycle the drone was at time 0. */
  cycleOffsetMs: number;
  fault?: FaultWindow<DroneFault>;
}

export interface DroneGeneratorOptions {
  devices: number;
  seed: number;
  hubs: readonly Hub[];
  truth: TruthLog;
  faultRate: number;
}

const salt = 0xd120;
const cycleMs = 60 * 60_000;
const flightMs = 45 * 60_000;
const faults: FaultOption<DroneFault>[] = [
  { kind: 'device-silent', minMinutes: 10, maxMinutes: 30 },
  { kind: 'low-battery', minMinutes: 10, maxMinutes: 25 },
  { kind: 'drone-high-risk', minMinutes: 5, maxMinutes: 20 },
];

/**
 * Autonomous inspection drones around hubs: position on an orbit, battery on a 45-minute flight
 * (100 → 40 %) and 15-minute charge cycle, sensors (altitude, wind, vibration, air temperature)
 * and a risk score combining them (normally below 0.6). Planted faults: silence (nothing sent),
 * low battery (below 20 %) and high risk (above 0.8).
 */
export class DroneGenerator implements DeviceGenerator {
  readonly kind = 'drones';
  readonly devices: number;
  private readonly drones: (Drone | undefined)[];

  constructor(private readonly options: DroneGeneratorOptions) {
    this.devices = options.devices;
    this.drones = new Array<Drone | undefined>(options.devices);
  }

  deviceId(local: number): string {
    return `drone-${local}`;
  }

  tick(local: number, tick: Tick): Report | undefined {
    const d = (this.drones[local] ??= this.start(local, tick));
    const fault = inWindow(d.fault, tick.ts) ? d.fault!.kind : undefined;
    if (fault === 'device-silent') return undefined;
    const { seed } = this.options;
    const phase = (tick.ts + d.cycleOffsetMs) % cycleMs;
    const flying = phase < flightMs;
    const normalBattery = flying ? 100 - 60 * (phase / flightMs) : 40 + 60 * ((phase - flightMs) / (cycleMs - flightMs));
    const battery = fault === 'low-battery' ? 18 - 10 * ((tick.ts - d.fault!.fromMs) / (d.fault!.toMs - d.fault!.fromMs)) : normalBattery;
    const wind = 2 + 10 * hashRandom(seed, local, tick.round, 3);
    const vibration = 0.1 + 0.5 * hashRandom(seed, local, tick.round, 4);
    const risk = fault === 'drone-high-risk' ? 0.82 + 0.16 * hashRandom(seed, local, tick.round, 5) : riskScore(wind, vibration, battery);
    const angle = ((tick.ts % d.orbitMs) / d.orbitMs) * 360;
    const pos = flying ? offsetKm(d.base, d.orbitKm, angle) : d.base;
    return {
      id: `t${tick.round}`,
      deviceId: d.deviceId,
      ts: new Date(tick.ts).toISOString(),
      location: {
        lat: round(pos.lat, 5), lon: round(pos.lon, 5), accuracyM: 2,
        speedKph: flying ? round((2 * Math.PI * d.orbitKm) / (d.orbitMs / 3_600_000), 1) : 0,
        headingDeg: flying ? Math.round(angle + 90) % 360 : 0,
      },
      hub: d.base.code,
      metrics: {
        battery_pct: round(battery, 1),
        altitude_m: flying ? round(60 + 60 * hashRandom(seed, local, tick.round, 6), 1) : 0,
        wind_mps: round(wind, 1),
        vibration_g: round(vibration, 2),
        air_temp_c: round(8 + 14 * hashRandom(seed, local, 0, 7) + hashRandom(seed, local, tick.round, 8), 1),
        risk_score: round(risk, 3),
      },
    };
  }

  private start(local: number, tick: Tick): Drone {
    const { hubs, seed, truth, faultRate } = this.options;
    const random = seededRandom(deviceSeed(seed, salt, local));
    const d: Drone = {
      deviceId: this.deviceId(local),
      base: hubs[local % hubs.length]!,
      orbitKm: 1.5 + 4.5 * random(),
      orbitMs: Math.round((20 + 20 * random()) * 60_000),
      cycleOffsetMs: Math.floor(random() * cycleMs),
    };
    d.fault = planFault(random, faults, faultRate, tick.ts, tick.endMs);
    const f = d.fault;
    if (f?.kind === 'device-silent') truth.add({ kind: 'device-silent', deviceId: d.deviceId }, f.fromMs, f.toMs);
    if (f?.kind === 'low-battery') truth.add({ kind: 'low-battery', deviceId: d.deviceId, thresholdPct: simulatorThresholds.lowBatteryPct }, f.fromMs, f.toMs);
    if (f?.kind === 'drone-high-risk') truth.add({ kind: 'drone-high-risk', deviceId: d.deviceId, threshold: simulatorThresholds.highRisk }, f.fromMs, f.toMs);
    return d;
  }
}

/** Risk of a mission from gusts (m/s), vibration (g) and battery: at most about 0.6 when healthy. */
export function riskScore(windMps: number, vibrationG: number, batteryPct: number): number {
  return 0.05 + 0.25 * Math.min(1, windMps / 15) + 0.2 * Math.min(1, vibrationG) + 0.1 * (1 - batteryPct / 100);
}
