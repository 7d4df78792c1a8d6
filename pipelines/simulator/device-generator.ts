import type { Report } from '../../core/report';

/** The generators of devices that report on a fixed period (flights replay events instead). */
export type DeviceKind = 'trucks' | 'sorters' | 'drones';

/** What a generator is told at one of a device's periodic reports. */
export interface Tick {
  /** Event time of this report, epoch ms. */
  ts: number;
  /** How many periods the fleet has completed (0 for the first report of every device). */
  round: number;
  /** Time to this device's next report: events before it are scheduled now (see schedule). */
  intervalMs: number;
  /** End of the run, epoch ms: nothing at or after it is sent. */
  endMs: number;
  /** Sends a report between two periodic ones (e.g. departed, arrived) at its own event time, after ts. */
  schedule(report: Report, tsMs: number): void;
}

/**
 * A kind of device simulated per device index (0 … devices-1). tick() is called once per period
 * per device in event-time order and returns its periodic report, or nothing when the device is
 * silent. Generators record what they plant in the TruthLog they are given.
 */
export interface DeviceGenerator {
  readonly kind: DeviceKind;
  readonly devices: number;
  deviceId(local: number): string;
  tick(local: number, tick: Tick): Report | undefined;
}

/** Rounds to a few decimals, so reports stay short and compare exactly after a JSON round trip. */
export const round = (x: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};
