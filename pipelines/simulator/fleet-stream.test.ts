import type { DeviceGenerator } from './device-generator';
import { parseMix } from './fleet-mix';
import { planFleet } from './fleet-plan';
import { FleetStream, type OrderedSource } from './fleet-stream';
import type { TimedReport } from './timed-report';

const at = (ts: number): TimedReport => ({ ts, report: { id: `f${ts}`, deviceId: 'gw-X', ts: new Date(ts).toISOString() } });

function chunks(...parts: TimedReport[][]): OrderedSource {
  return { next: async () => parts.shift() };
}

const noDevices = { trucks: {} as DeviceGenerator, sorters: {} as DeviceGenerator, drones: {} as DeviceGenerator };

describe('fleet stream', () => {
  it('ends at the end of the run even when the ordered source still holds later reports', async () => {
    const stream = new FleetStream({ plan: planFleet({ devices: 0, rate: 10, mix: parseMix('flights=1') }), generators: noDevices, startMs: 0, endMs: 100, flights: chunks([at(5), at(99)], [], [at(100), at(101)]) });
    const got: number[] = [];
    for (let i = 0; i < 10 && !stream.done; i++) got.push(...(await stream.take(10)).map((r) => r.ts));
    expect(got).toEqual([5, 99]);
    expect(stream.done).toBe(true);
  });

  it('merges periodic reports, scheduled events and the ordered source by event time', async () => {
    const ticker: DeviceGenerator = {
      kind: 'drones', devices: 2, deviceId: (i) => `d${i}`,
      tick: (i, tick) => {
        if (i === 0) tick.schedule({ id: `e${tick.round}`, deviceId: 'd0', ts: new Date(tick.ts + 15).toISOString() }, tick.ts + 15);
        // The one scheduled at 55 falls after the end and is dropped.
        return { id: `t${tick.round}`, deviceId: `d${i}`, ts: new Date(tick.ts).toISOString() };
      },
    };
    const plan = planFleet({ devices: 2, rate: 100, mix: parseMix('drones=1') });
    expect(plan.intervalMs).toBe(20);
    const stream = new FleetStream({ plan, generators: { ...noDevices, drones: ticker }, startMs: 0, endMs: 50, flights: chunks([at(12), at(15)]) });
    const got = await stream.take(100);
    expect(got.map((r) => `${r.ts}:${r.report.id}`)).toEqual(['0:t0', '10:t0', '12:f12', '15:e0', '15:f15', '20:t1', '30:t1', '35:e1', '40:t2']);
    expect(stream.done).toBe(true);
    expect(stream.counts).toEqual({ trucks: 0, sorters: 0, drones: 7, flights: 2 });
  });
});
