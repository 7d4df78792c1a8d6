import type { DeviceGenerator, DeviceKind, Tick } from './device-generator';
import { EventQueue } from './event-queue';
import type { MixKind } from './fleet-mix';
import { deviceKinds, type FleetPlan } from './fleet-plan';
import type { TimedReport } from './timed-report';

/** A source of reports already in event-time order, read a chunk at a time (the flight replay). */
export interface OrderedSource {
  next(): Promise<TimedReport[] | undefined>;
}

export interface FleetStreamOptions {
  plan: FleetPlan;
  generators: Record<DeviceKind, DeviceGenerator>;
  /** Run window, event time, epoch ms: [startMs, endMs). */
  startMs: number;
  endMs: number;
  flights?: OrderedSource;
}

/**
 * One stream of every generator's reports in event-time order: the periodic reports (fleet
 * position p reports at start + round × period + p × period / devices, so they come in order by
 * construction), the events generators schedule between them (a heap), and the flight replay
 * (already ordered) — a three-way merge, with no per-report sorting.
 */
export class FleetStream {
  readonly counts: Record<MixKind, number> = { trucks: 0, sorters: 0, drones: 0, flights: 0 };
  /** Periodic reports not sent because the device was silent. */
  silentTicks = 0;
  private readonly queue = new EventQueue();
  private readonly devices: number;
  private readonly byIndex: DeviceGenerator[];
  private round = 0;
  private position = 0;
  private flightBuffer: TimedReport[] = [];
  private flightIndex = 0;
  private flightsDone: boolean;
  private readonly tick: Tick;
  private tickKind: DeviceKind = 'trucks';

  constructor(private readonly options: FleetStreamOptions) {
    this.devices = options.plan.kindOf.length;
    this.byIndex = deviceKinds.map((k) => options.generators[k]);
    this.flightsDone = !options.flights;
    // One Tick object reused for every report: the hot loop allocates only the reports.
    this.tick = {
      ts: 0, round: 0, intervalMs: options.plan.intervalMs, endMs: options.endMs,
      schedule: (report, ts) => this.schedule(report, ts),
    };
  }

  /** Event time of the next periodic report. */
  private nextTickTs(): number {
    if (this.devices === 0) return Infinity;
    const { intervalMs } = this.options.plan;
    return this.options.startMs + this.round * intervalMs + Math.floor((this.position * intervalMs) / this.devices);
  }

  /**
   * True once every report before the end has been taken. A buffered flight at or after the end
   * means the rest are too (the replay is ordered), even though its source is not exhausted.
   */
  get done(): boolean {
    if (this.flightIndex >= this.flightBuffer.length && !this.flightsDone) return false;
    return this.nextKnownTs() >= this.options.endMs;
  }

  /** Event time of the next report known without reading further flights. */
  nextKnownTs(): number {
    return Math.min(this.nextTickTs(), this.queue.peekTs(), this.flightBuffer[this.flightIndex]?.ts ?? Infinity);
  }

  /** Up to `max` reports, in event-time order, with event time before min(untilMs, end). */
  async take(max: number, untilMs = Infinity): Promise<TimedReport[]> {
    const limit = Math.min(untilMs, this.options.endMs);
    const out: TimedReport[] = [];
    while (out.length < max) {
      if (this.flightIndex >= this.flightBuffer.length && !this.flightsDone) await this.readFlights();
      const tickTs = this.nextTickTs();
      const eventTs = this.queue.peekTs();
      const flightTs = this.flightBuffer[this.flightIndex]?.ts ?? Infinity;
      if (Math.min(tickTs, eventTs, flightTs) >= limit) break;
      if (tickTs <= eventTs && tickTs <= flightTs) {
        const taken = this.periodic(tickTs);
        if (taken) out.push(taken);
      } else if (eventTs <= flightTs) {
        const event = this.queue.pop()!;
        this.counts[event.kind] += 1;
        out.push(event);
      } else {
        out.push(this.flightBuffer[this.flightIndex++]!);
        this.counts.flights += 1;
      }
    }
    return out;
  }

  private periodic(ts: number): TimedReport | undefined {
    const p = this.position;
    const generator = this.byIndex[this.options.plan.kindOf[p]!]!;
    this.tickKind = generator.kind;
    this.tick.ts = ts;
    this.tick.round = this.round;
    const report = generator.tick(this.options.plan.localOf[p]!, this.tick);
    if (++this.position === this.devices) {
      this.position = 0;
      this.round += 1;
    }
    if (!report) {
      this.silentTicks += 1;
      return undefined;
    }
    this.counts[generator.kind] += 1;
    return { ts, report };
  }

  private schedule(report: TimedReport['report'], ts: number): void {
    // Generators schedule only ahead of the report they are making, so order holds.
    if (ts < this.tick.ts) throw new Error(`${report.deviceId} scheduled a report at ${ts}, before the current ${this.tick.ts}`);
    if (ts < this.options.endMs) this.queue.push(report, ts, this.tickKind);
  }

  private async readFlights(): Promise<void> {
    const chunk = await this.options.flights!.next();
    if (!chunk) {
      this.flightsDone = true;
      this.flightBuffer = [];
    } else {
      this.flightBuffer = chunk;
    }
    this.flightIndex = 0;
  }
}
