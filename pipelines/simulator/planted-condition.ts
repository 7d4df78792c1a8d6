/**
 * The ground truth of a simulated run: every abnormal condition the simulator planted, with its
 * subject and its event-time window [from, to) (RFC 3339). Reports inside the window show the
 * condition; reports outside it, and reports of devices without a planted condition, never do
 * (thresholds below), so an alert without a matching condition is a false alert.
 */
export const simulatorThresholds = {
  /** battery_pct below this is low (containers and drones). */
  lowBatteryPct: 20,
  /** Cold-chain range of a reefer container's temp_c. */
  minTempC: 2,
  maxTempC: 8,
  /** A drone's risk_score above this is high. */
  highRisk: 0.8,
  /** A leg is late when it arrives more than this after its planned arrival (DESIGN.md). */
  lateMinutes: 15,
} as const;

interface Window {
  deviceId: string;
  /** Start of the condition, event time. */
  from: string;
  /** End of the condition (exclusive), or the end of the run when it lasts beyond it. */
  to: string;
  /** True when the condition had not ended when the run did. */
  endsAfterRun: boolean;
}

export type DeviceSilent = Window & { kind: 'device-silent' };
export type LowBattery = Window & { kind: 'low-battery'; thresholdPct: number };
export type TemperatureOutOfRange = Window & { kind: 'temperature-out-of-range'; minC: number; maxC: number };
export type DroneHighRisk = Window & { kind: 'drone-high-risk'; threshold: number };
export type SorterFault = Window & { kind: 'sorter-jam' | 'sorter-slowdown' | 'sorter-reject-spike'; zone: string };
/** from = planned arrival + lateMinutes (the moment it became late), to = actual arrival. */
export type LateLeg = Window & {
  kind: 'late-leg';
  shipmentId: string;
  mode: 'road' | 'air';
  origin: string;
  destination: string;
  plannedArrival: string;
  actualArrival: string;
};

export type PlantedCondition = DeviceSilent | LowBattery | TemperatureOutOfRange | DroneHighRisk | SorterFault | LateLeg;
export type PlantedKind = PlantedCondition['kind'];
/** A condition before its window is set (distributes over the union, unlike a plain Omit). */
export type UnplacedCondition = PlantedCondition extends infer C ? (C extends PlantedCondition ? Omit<C, 'from' | 'to' | 'endsAfterRun'> : never) : never;

/** Where generators record what they planted (passed to each, so one run has one list). */
export class TruthLog {
  readonly conditions: PlantedCondition[] = [];

  constructor(readonly runEndMs: number) {}

  /** Records a condition over [fromMs, toMs), clipped to the run; nothing when it starts after it. */
  add(condition: UnplacedCondition, fromMs: number, toMs: number): void {
    if (fromMs >= this.runEndMs) return;
    const endsAfterRun = toMs > this.runEndMs;
    const to = new Date(Math.min(toMs, this.runEndMs)).toISOString();
    this.conditions.push({ ...condition, from: new Date(fromMs).toISOString(), to, endsAfterRun } as PlantedCondition);
  }

  /** Sorted by start, then subject: the same run gives the same file. */
  sorted(): PlantedCondition[] {
    return [...this.conditions].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  }

  countsByKind(): Partial<Record<PlantedKind, number>> {
    const counts: Partial<Record<PlantedKind, number>> = {};
    for (const c of this.conditions) counts[c.kind] = (counts[c.kind] ?? 0) + 1;
    return counts;
  }
}
