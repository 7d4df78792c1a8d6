import { reportSchema } from '../../core/report';
import { parseMix } from './fleet-mix';
import { runFleet } from './fleet-runner';
import { loadHubs } from './hubs';
import type { PlantedCondition } from './planted-condition';
import type { ReportSink } from './report-sink';
import { RoadNetwork } from './road-network';
import { createSimulation, type GroundTruth, type SimulationOptions } from './simulation';
import { dailyLoad } from './sorter-generator';
import type { TimedReport } from './timed-report';

const network = new RoadNetwork(loadHubs());
const startMs = Date.parse('2026-03-02T06:00:00Z');
// Half an hour of event time for 600 devices each reporting every minute, 10 % flights.
const base: SimulationOptions = {
  devices: 600, rate: 600 / 60 / 0.9, seconds: 1800, seed: 42, startMs, faultRate: 0.15, flightCompression: 20,
  mix: parseMix('trucks=0.6,sorters=0.15,drones=0.15,flights=0.1'),
};

async function runToEnd(options: SimulationOptions): Promise<{ reports: TimedReport[]; truth: GroundTruth }> {
  const sim = await createSimulation(options, { network });
  const reports: TimedReport[] = [];
  try {
    while (!sim.stream.done) reports.push(...(await sim.stream.take(5000)));
  } finally {
    sim.close();
  }
  return { reports, truth: sim.groundTruth() };
}

const ms = (iso: string) => Date.parse(iso);
const within = (c: PlantedCondition, r: TimedReport) => r.ts >= ms(c.from) && r.ts < ms(c.to);
const metric = (r: TimedReport, name: string) => r.report.metrics?.[name];

describe('fleet simulation', () => {
  let reports: TimedReport[];
  let truth: GroundTruth;
  let byDevice: Map<string, TimedReport[]>;
  const conditions = (kind: PlantedCondition['kind']) => truth.conditions.filter((c) => c.kind === kind);
  const active = (kind: PlantedCondition['kind'], r: TimedReport) => conditions(kind).some((c) => c.deviceId === r.report.deviceId && within(c, r));

  beforeAll(async () => {
    ({ reports, truth } = await runToEnd(base));
    byDevice = new Map();
    for (const r of reports) byDevice.set(r.report.deviceId, [...(byDevice.get(r.report.deviceId) ?? []), r]);
  });

  it('is deterministic: the same seed gives the same reports and truth, another seed others', async () => {
    const again = await runToEnd(base);
    expect(again.reports).toEqual(reports);
    expect(again.truth).toEqual(truth);
    const other = await runToEnd({ ...base, seed: 43 });
    expect(other.reports.slice(0, 50)).not.toEqual(reports.slice(0, 50));
  });

  it('produces only valid reports, in event-time order, with ts matching the order key and ids unique per device', () => {
    expect(reports.length).toBeGreaterThan(15_000);
    for (const r of reports) {
      const parsed = reportSchema.safeParse(JSON.parse(JSON.stringify(r.report)));
      if (!parsed.success) throw new Error(`${JSON.stringify(r.report)}: ${parsed.error.message}`);
      expect(ms(r.report.ts)).toBe(r.ts);
    }
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.ts).toBeGreaterThanOrEqual(reports[i - 1]!.ts);
    for (const [, list] of byDevice) expect(new Set(list.map((r) => r.report.id)).size).toBe(list.length);
    expect(reports[0]!.ts).toBeGreaterThanOrEqual(startMs);
    expect(reports[reports.length - 1]!.ts).toBeLessThan(startMs + base.seconds * 1000);
  });

  it('plants every kind of condition', () => {
    const kinds = new Set(truth.conditions.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(
      ['device-silent', 'drone-high-risk', 'late-leg', 'low-battery', 'sorter-jam', 'sorter-reject-spike', 'sorter-slowdown', 'temperature-out-of-range'].sort(),
    );
  });

  it('sends nothing from a silent device inside its window, and reports from it before', () => {
    expect(conditions('device-silent').length).toBeGreaterThan(5);
    for (const c of conditions('device-silent')) {
      const list = byDevice.get(c.deviceId) ?? [];
      expect(list.filter((r) => within(c, r))).toEqual([]);
      expect(list.some((r) => r.ts < ms(c.from))).toBe(true);
      if (!c.endsAfterRun && ms(c.to) + 120_000 < startMs + base.seconds * 1000) expect(list.some((r) => r.ts >= ms(c.to))).toBe(true);
    }
  });

  it('shows low battery, cold-chain excursions and high drone risk exactly inside the planted windows', () => {
    const checks: [PlantedCondition['kind'], string, (v: number) => boolean][] = [
      ['low-battery', 'battery_pct', (v) => v < truth.thresholds.lowBatteryPct],
      ['temperature-out-of-range', 'temp_c', (v) => v < truth.thresholds.minTempC || v > truth.thresholds.maxTempC],
      ['drone-high-risk', 'risk_score', (v) => v > truth.thresholds.highRisk],
    ];
    for (const [kind, name, abnormal] of checks) {
      let inside = 0;
      for (const r of reports) {
        const value = metric(r, name);
        if (value === undefined) continue;
        const planted = active(kind, r);
        inside += planted ? 1 : 0;
        if (abnormal(value) !== planted) throw new Error(`${kind}: ${r.report.deviceId} at ${r.report.ts} has ${name}=${value}, planted=${planted}`);
      }
      expect(inside).toBeGreaterThan(0);
    }
  });

  it('shows sorter jams, slowdowns and reject spikes exactly inside the planted windows', () => {
    const sorterReports = reports.filter((r) => r.report.deviceId.startsWith('sorter-'));
    for (const r of sorterReports) {
      const jam = active('sorter-jam', r);
      expect(metric(r, 'jams')).toBe(jam ? 1 : 0);
      const share = metric(r, 'rejects')! / Math.max(1, metric(r, 'parcels')!);
      if (!jam) expect(share >= 0.07).toBe(active('sorter-reject-spike', r));
    }
    for (const c of conditions('sorter-jam')) {
      const first = (byDevice.get(c.deviceId) ?? []).find((r) => within(c, r));
      if (first) expect(first.report.event?.code).toBe('jam');
      expect(c.deviceId).toBe(`sorter-${(c as { zone: string }).zone}`);
    }
    // A slowdown runs at 30–50 % of the zone's normal load-adjusted throughput.
    for (const c of conditions('sorter-slowdown')) {
      const list = byDevice.get(c.deviceId)!;
      const normalised = (r: TimedReport) => metric(r, 'parcels')! / dailyLoad(r.ts);
      const normal = list.filter((r) => !within(c, r)).map(normalised);
      const slow = list.filter((r) => within(c, r)).map(normalised);
      for (const v of slow) expect(v).toBeLessThan(0.55 * Math.min(...normal));
    }
  });

  it('records a road leg as late exactly when its arrived event is more than 15 minutes after plan', () => {
    const lateRoad = new Map(conditions('late-leg').filter((c) => c.kind === 'late-leg' && c.mode === 'road').map((c) => [(c as { shipmentId: string }).shipmentId, c]));
    const arrivals = reports.filter((r) => r.report.event?.code === 'arrived' && !r.report.deviceId.startsWith('gw-'));
    expect(arrivals.length).toBeGreaterThan(8);
    let late = 0;
    for (const r of arrivals) {
      const plannedArrival = ms((JSON.parse(r.report.event!.detail!) as { plannedArrival: string }).plannedArrival);
      const isLate = r.ts > plannedArrival + truth.thresholds.lateMinutes * 60_000;
      const planted = lateRoad.get(r.report.shipmentId!);
      expect(planted !== undefined).toBe(isLate);
      if (planted?.kind === 'late-leg') {
        late += 1;
        expect(ms(planted.actualArrival)).toBe(r.ts);
        expect(ms(planted.from)).toBe(plannedArrival + truth.thresholds.lateMinutes * 60_000);
      }
    }
    expect(late).toBeGreaterThan(0);
    expect(late).toBeLessThan(arrivals.length);
  });

  it('replays real flights with departed before arrived, and records flights late by more than 15 minutes', () => {
    const flights = reports.filter((r) => r.report.deviceId.startsWith('gw-'));
    expect(flights.length).toBeGreaterThan(1000);
    const lateAir = new Map(conditions('late-leg').filter((c) => c.kind === 'late-leg' && c.mode === 'air').map((c) => [(c as { shipmentId: string }).shipmentId, c]));
    const departed = new Map<string, number>();
    let checked = 0;
    for (const r of flights) {
      const { shipmentId, event, location } = r.report;
      expect(location).toBeDefined();
      if (event!.code === 'departed') departed.set(shipmentId!, r.ts);
      if (event!.code !== 'arrived') continue;
      const dep = departed.get(shipmentId!);
      if (dep !== undefined) expect(dep).toBeLessThanOrEqual(r.ts);
      const plannedArrival = ms((JSON.parse(event!.detail!) as { plannedArrival: string }).plannedArrival);
      // 15 minutes of 2001 take 15 × 60 / compression seconds here; ±2 ms of rounding.
      const lateBy = r.ts - plannedArrival - (truth.thresholds.lateMinutes * 60_000) / truth.flightCompression!;
      if (Math.abs(lateBy) <= 2) continue;
      expect(lateAir.has(shipmentId!)).toBe(lateBy > 0);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('respects the device count and the rate', () => {
    const periodic = reports.filter((r) => r.report.id.startsWith('t'));
    const devices = new Set(periodic.map((r) => r.report.deviceId));
    expect(devices.size).toBe(base.devices);
    // Every device reports once a minute from its first report on, except inside its silence.
    const intervalMs = truth.intervalMs;
    const endMs = startMs + base.seconds * 1000;
    const silentTicks = conditions('device-silent').reduce((sum, c) => {
      const first = byDevice.get(c.deviceId)![0]!.ts;
      let n = 0;
      for (let t = first; t < endMs; t += intervalMs) if (t >= ms(c.from) && t < ms(c.to)) n += 1;
      return sum + n;
    }, 0);
    expect(intervalMs).toBe(60_000);
    expect(periodic.length + silentTicks).toBe(base.devices * (base.seconds / 60));
  });

  it('fills the flights share of the rate from the replay when no compression is given', async () => {
    const run = await runToEnd({ ...base, faultRate: 0.02, flightCompression: undefined, devices: 300, rate: 400, seconds: 120, mix: parseMix('trucks=0.75,flights=0.25') });
    const flights = run.reports.filter((r) => r.report.deviceId.startsWith('gw-')).length;
    expect(Math.abs(flights - 100 * 120) / (100 * 120)).toBeLessThan(0.03);
    expect(Math.abs(run.reports.length - 400 * 120) / (400 * 120)).toBeLessThan(0.03);
  });
});

describe('fleet runner', () => {
  const collect = (): ReportSink & { got: TimedReport[] } => {
    const got: TimedReport[] = [];
    return { name: 'memory', rejected: 0, got, send: async (b) => void got.push(...b), close: async () => undefined };
  };

  it('in real time never sends a report before the clock reaches its event time', async () => {
    const sim = await createSimulation({ ...base, devices: 100, rate: 50, seconds: 20, mix: parseMix('trucks=1') }, { network });
    let now = 1_000_000;
    const sink = collect();
    const late: string[] = [];
    const send = sink.send.bind(sink);
    sink.send = async (b) => {
      for (const r of b) if (r.ts > startMs + (now - 1_000_000)) late.push(r.report.ts);
      await send(b);
    };
    const result = await runFleet(sim, sink, { realTime: true, batchSize: 7 }, { now: () => now, sleep: async (d) => void (now += d) });
    expect(late).toEqual([]);
    expect(result.sent).toBe(sink.got.length);
    expect(sink.got.length).toBeGreaterThan(900);
    // The run took as long on the (fake) clock as in event time, within one wait.
    expect(Math.abs(now - 1_000_000 - 20_000)).toBeLessThanOrEqual(60);
  });

  it('as fast as possible sends everything in order and counts by kind', async () => {
    const sim = await createSimulation({ ...base, devices: 200, rate: 200, seconds: 60, mix: parseMix('trucks=0.5,sorters=0.25,drones=0.25') }, { network });
    const sink = collect();
    const result = await runFleet(sim, sink, { realTime: false, batchSize: 100, maxInFlight: 3 });
    expect(result.sent).toBe(sink.got.length);
    expect(result.byKind.trucks + result.byKind.sorters + result.byKind.drones).toBe(result.sent);
    expect(result.byKind.sorters).toBe(50 * 60);
    expect(sink.got.map((r) => r.ts)).toEqual([...sink.got.map((r) => r.ts)].sort((a, b) => a - b));
  });

  it('stops at the first failed send and reports the error', async () => {
    const sim = await createSimulation({ ...base, devices: 50, rate: 50, seconds: 60, mix: parseMix('drones=1') }, { network });
    let calls = 0;
    const failing: ReportSink = {
      name: 'failing', rejected: 0, close: async () => undefined,
      send: async () => {
        if (++calls === 3) throw new Error('stream away');
      },
    };
    await expect(runFleet(sim, failing, { realTime: false, batchSize: 10 })).rejects.toThrow('stream away');
    expect(calls).toBeLessThan(6);
  });
});
