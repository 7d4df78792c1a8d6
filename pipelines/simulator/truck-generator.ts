import type { Report } from '../../core/report';
import { seededRandom } from '../sample-reports';
import { round, type DeviceGenerator, type Tick } from './device-generator';
import { inWindow, planFault, type FaultOption, type FaultWindow } from './fault-window';
import { deviceSeed, hashRandom } from './hash-random';
import type { Hub } from './hubs';
import { simulatorThresholds, type TruthLog } from './planted-condition';
import { isLate, legProgress, planRoadLeg, shiftRoadLeg, type RoadLeg } from './road-leg';
import { positionAlong, type RoadNetwork } from './road-network';

type TruckFault = 'device-silent' | 'low-battery' | 'temperature-out-of-range';

interface Vehicle {
  deviceId: string;
  random: () => number;
  /** Containers carry battery-powered trackers; some are reefers reporting temperature. */
  container: boolean;
  reefer: boolean;
  leg: RoadLeg;
  /** True while waiting at the leg's origin for its departure. */
  dwelling: boolean;
  legNo: number;
  firstMs: number;
  batteryStart: number;
  fault?: FaultWindow<TruckFault>;
}

export interface TruckGeneratorOptions {
  devices: number;
  seed: number;
  network: RoadNetwork;
  truth: TruthLog;
  /** Probability that a vehicle gets a planted fault during the run. */
  faultRate: number;
}

const salt = 0x7a0c;
const truckFaults: FaultOption<TruckFault>[] = [{ kind: 'device-silent', minMinutes: 10, maxMinutes: 40 }];
const containerFaults: FaultOption<TruckFault>[] = [
  { kind: 'device-silent', minMinutes: 10, maxMinutes: 40 },
  { kind: 'low-battery', minMinutes: 20, maxMinutes: 90 },
];
const reeferFaults: FaultOption<TruckFault>[] = [...containerFaults, { kind: 'temperature-out-of-range', minMinutes: 15, maxMinutes: 60 }];

/**
 * Trucks and containers driving legs between hubs on the road network: position, speed, heading
 * and tracker battery every period, departed and arrived events at their own times (with the
 * leg's plan in the event detail), late legs from congestion and incidents, and planted faults
 * (silence; for containers a draining battery; for reefers a cold-chain excursion).
 */
export class TruckGenerator implements DeviceGenerator {
  readonly kind = 'trucks';
  readonly devices: number;
  private readonly vehicles: (Vehicle | undefined)[];

  constructor(private readonly options: TruckGeneratorOptions) {
    this.devices = options.devices;
    this.vehicles = new Array<Vehicle | undefined>(options.devices);
  }

  /** Three vehicles in ten are containers. */
  deviceId(local: number): string {
    return local % 10 < 3 ? `ctr-${local}` : `truck-${local}`;
  }

  tick(local: number, tick: Tick): Report | undefined {
    const v = (this.vehicles[local] ??= this.start(local, tick));
    const report = inWindow(v.fault, tick.ts) && v.fault?.kind === 'device-silent' ? undefined : this.periodic(v, local, tick);
    this.advance(v, tick);
    return report;
  }

  private start(local: number, tick: Tick): Vehicle {
    const { network, seed, faultRate } = this.options;
    const random = seededRandom(deviceSeed(seed, salt, local));
    const container = local % 10 < 3;
    const reefer = container && random() < 0.5;
    const origin = network.hubs[Math.floor(random() * network.hubs.length)]!;
    const dwelling = random() < 0.25;
    const v: Vehicle = {
      deviceId: this.deviceId(local), random, container, reefer, dwelling, legNo: 0, firstMs: tick.ts,
      batteryStart: container ? 45 + 55 * random() : 92 + 8 * random(),
      leg: undefined as unknown as RoadLeg,
    };
    const fresh = this.planLeg(v, origin, tick.ts);
    // Dwelling vehicles leave within 90 minutes; moving ones are part-way through their leg.
    v.leg = dwelling ? shiftRoadLeg(fresh, Math.round(1 + random() * 90 * 60_000)) : shiftRoadLeg(fresh, -Math.round(random() * (fresh.arriveMs - fresh.departMs - 1)));
    this.recordIfLate(v);
    const options = reefer ? reeferFaults : container ? containerFaults : truckFaults;
    v.fault = planFault(random, options, faultRate, tick.ts, tick.endMs);
    if (v.fault) this.recordFault(v, v.fault);
    return v;
  }

  private planLeg(v: Vehicle, origin: Hub, departMs: number): RoadLeg {
    const lanes = this.options.network.lanesFrom(origin.code);
    const destination = lanes[Math.floor(v.random() * lanes.length)]!;
    v.legNo += 1;
    const shipmentId = `shp-${this.options.seed.toString(36)}-${v.deviceId}-${v.legNo}`;
    return planRoadLeg(v.random, shipmentId, this.options.network.route(origin.code, destination.code), departMs);
  }

  private recordIfLate(v: Vehicle): void {
    const { leg } = v;
    if (!isLate(leg, simulatorThresholds.lateMinutes)) return;
    const hubs = leg.route.hubs;
    this.options.truth.add(
      {
        kind: 'late-leg', deviceId: v.deviceId, shipmentId: leg.shipmentId, mode: 'road',
        origin: hubs[0]!.code, destination: hubs[hubs.length - 1]!.code,
        plannedArrival: new Date(leg.plannedArrivalMs).toISOString(), actualArrival: new Date(leg.arriveMs).toISOString(),
      },
      leg.plannedArrivalMs + simulatorThresholds.lateMinutes * 60_000,
      leg.arriveMs,
    );
  }

  private recordFault(v: Vehicle, fault: FaultWindow<TruckFault>): void {
    const { truth } = this.options;
    const base = { deviceId: v.deviceId };
    if (fault.kind === 'device-silent') truth.add({ ...base, kind: 'device-silent' }, fault.fromMs, fault.toMs);
    else if (fault.kind === 'low-battery') truth.add({ ...base, kind: 'low-battery', thresholdPct: simulatorThresholds.lowBatteryPct }, fault.fromMs, fault.toMs);
    else truth.add({ ...base, kind: 'temperature-out-of-range', minC: simulatorThresholds.minTempC, maxC: simulatorThresholds.maxTempC }, fault.fromMs, fault.toMs);
  }

  private periodic(v: Vehicle, local: number, tick: Tick): Report {
    const { leg } = v;
    const { km, moving } = v.dwelling ? { km: 0, moving: false } : legProgress(leg, tick.ts);
    const pos = positionAlong(leg.route, km);
    const noise = hashRandom(this.options.seed, local, tick.round, 1);
    const atHub = v.dwelling ? leg.route.hubs[0] : km >= leg.route.totalKm ? leg.route.hubs[leg.route.hubs.length - 1] : undefined;
    const report: Report = {
      id: `t${tick.round}`,
      deviceId: v.deviceId,
      ts: new Date(tick.ts).toISOString(),
      location: {
        lat: round(pos.lat, 5), lon: round(pos.lon, 5), accuracyM: 3 + Math.floor(noise * 12),
        speedKph: moving ? round(leg.cruiseKph * (0.94 + 0.12 * noise), 1) : 0, headingDeg: pos.headingDeg,
      },
      shipmentId: leg.shipmentId,
      metrics: this.metrics(v, tick.ts, noise),
    };
    if (atHub) report.hub = atHub.code;
    return report;
  }

  private metrics(v: Vehicle, ts: number, noise: number): Record<string, number> {
    const hours = (ts - v.firstMs) / 3_600_000;
    const fault = inWindow(v.fault, ts) ? v.fault?.kind : undefined;
    // A container's tracker drains 0.15 %/h and is swapped before 35 %; a truck's is kept charged.
    let battery = v.container ? Math.max(35, v.batteryStart - 0.15 * hours) : v.batteryStart;
    if (fault === 'low-battery') battery = 18 - 12 * ((ts - v.fault!.fromMs) / (v.fault!.toMs - v.fault!.fromMs));
    const metrics: Record<string, number> = { battery_pct: round(battery, 1) };
    if (v.reefer) metrics.temp_c = round(fault === 'temperature-out-of-range' ? 9.5 + 4.5 * noise : 3.5 + 3 * noise, 1);
    return metrics;
  }

  /** Applies departures and arrivals before the next periodic report, scheduling their events. */
  private advance(v: Vehicle, tick: Tick): void {
    const horizon = Math.min(tick.ts + tick.intervalMs, tick.endMs);
    for (;;) {
      const at = v.dwelling ? v.leg.departMs : v.leg.arriveMs;
      if (at >= horizon || at < tick.ts) return;
      if (v.dwelling) {
        v.dwelling = false;
        this.event(v, tick, 'departed', at);
      } else {
        this.event(v, tick, 'arrived', at);
        const hubs = v.leg.route.hubs;
        // Unloading and loading take 30–120 minutes before the next leg leaves.
        v.leg = this.planLeg(v, hubs[hubs.length - 1]!, at + Math.round((30 + 90 * v.random()) * 60_000));
        v.dwelling = true;
        this.recordIfLate(v);
      }
    }
  }

  private event(v: Vehicle, tick: Tick, code: 'departed' | 'arrived', at: number): void {
    if (v.fault?.kind === 'device-silent' && inWindow(v.fault, at)) return;
    const { leg } = v;
    const hubs = leg.route.hubs;
    const hub = code === 'departed' ? hubs[0]! : hubs[hubs.length - 1]!;
    const detail = JSON.stringify({
      mode: 'road', from: hubs[0]!.code, to: hubs[hubs.length - 1]!.code,
      plannedDeparture: new Date(leg.departMs).toISOString(), plannedArrival: new Date(leg.plannedArrivalMs).toISOString(),
    });
    tick.schedule(
      {
        id: `${code === 'departed' ? 'dep' : 'arr'}-${leg.shipmentId}`,
        deviceId: v.deviceId,
        ts: new Date(at).toISOString(),
        location: { lat: round(hub.lat, 5), lon: round(hub.lon, 5), speedKph: 0 },
        shipmentId: leg.shipmentId,
        hub: hub.code,
        event: { code, detail },
      },
      at,
    );
  }
}
