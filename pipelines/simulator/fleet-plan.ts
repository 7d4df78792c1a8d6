import type { DeviceKind } from './device-generator';
import type { FleetMix } from './fleet-mix';

export interface FleetPlanInput {
  /** Devices reporting periodically (trucks, containers, sorters, drones). */
  devices: number;
  /** Reports per second of the whole run, flights included. */
  rate: number;
  mix: FleetMix;
}

export interface FleetPlan {
  /** Devices of each periodic kind. */
  counts: Record<DeviceKind, number>;
  /** Period of every periodic device, ms: devices / their share of the rate. */
  intervalMs: number;
  /** Flight events per second aimed at. */
  flightRate: number;
  /** kindOf[i], localOf[i]: which generator and which of its devices fleet position i is. */
  kindOf: Uint8Array;
  localOf: Uint32Array;
}

export const deviceKinds: readonly DeviceKind[] = ['trucks', 'sorters', 'drones'];

/**
 * Splits the devices between the periodic kinds by their shares of the mix and sets one period
 * for all, so that they send (1 − flights share) × rate reports per second; flights fill the
 * rest. Kinds are interleaved along the period (smooth weighted round robin), so every kind's
 * reports spread evenly over time.
 */
export function planFleet({ devices, rate, mix }: FleetPlanInput): FleetPlan {
  const periodicShare = mix.trucks + mix.sorters + mix.drones;
  const counts = splitDevices(periodicShare > 0 ? devices : 0, mix, periodicShare);
  const periodicRate = rate * periodicShare;
  const intervalMs = periodicRate > 0 ? Math.max(1, Math.round((devices / periodicRate) * 1000)) : 60_000;
  const { kindOf, localOf } = interleave(counts);
  return { counts, intervalMs, flightRate: rate * mix.flights, kindOf, localOf };
}

/** Largest-remainder split, so the counts add up to exactly `devices`. */
function splitDevices(devices: number, mix: FleetMix, periodicShare: number): Record<DeviceKind, number> {
  const exact = deviceKinds.map((k) => (periodicShare > 0 ? (devices * mix[k]) / periodicShare : 0));
  const counts = exact.map(Math.floor);
  let left = devices - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) if (left-- > 0) counts[i]! += 1;
  return { trucks: counts[0]!, sorters: counts[1]!, drones: counts[2]! };
}

function interleave(counts: Record<DeviceKind, number>): { kindOf: Uint8Array; localOf: Uint32Array } {
  const total = deviceKinds.reduce((sum, k) => sum + counts[k], 0);
  const kindOf = new Uint8Array(total);
  const localOf = new Uint32Array(total);
  const weight = deviceKinds.map((k) => counts[k]);
  const current = deviceKinds.map(() => 0);
  const used = deviceKinds.map(() => 0);
  for (let i = 0; i < total; i++) {
    let best = -1;
    for (let k = 0; k < weight.length; k++) {
      if (used[k]! >= weight[k]!) continue;
      current[k]! += weight[k]!;
      if (best < 0 || current[k]! > current[best]!) best = k;
    }
    current[best]! -= total;
    kindOf[i] = best;
    localOf[i] = used[best]!;
    used[best]! += 1;
  }
  return { kindOf, localOf };
}
