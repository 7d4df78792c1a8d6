import { parseMix } from './fleet-mix';
import { planFleet } from './fleet-plan';

describe('fleet mix and plan', () => {
  it('parses and normalises shares, rejecting unknown kinds and bad numbers', () => {
    expect(parseMix('trucks=3,drones=1')).toEqual({ trucks: 0.75, sorters: 0, drones: 0.25, flights: 0 });
    expect(() => parseMix('boats=1')).toThrow('unknown kind "boats"');
    expect(() => parseMix('trucks=-1')).toThrow('≥ 0');
    expect(() => parseMix('trucks=0')).toThrow('at least one');
  });

  it('splits devices by share, exactly, with one period that gives the periodic share of the rate', () => {
    const plan = planFleet({ devices: 1001, rate: 1000, mix: parseMix('trucks=0.6,sorters=0.1,drones=0.1,flights=0.2') });
    expect(plan.counts).toEqual({ trucks: 751, sorters: 125, drones: 125 });
    // 1001 devices sending 800 reports/s between them.
    expect(plan.intervalMs).toBe(1251);
    expect(plan.flightRate).toBe(200);
  });

  it('interleaves kinds evenly and numbers each kind 0 … n-1', () => {
    const plan = planFleet({ devices: 100, rate: 100, mix: parseMix('trucks=0.5,sorters=0.25,drones=0.25') });
    const firstQuarter = Array.from(plan.kindOf.slice(0, 25));
    expect(firstQuarter.filter((k) => k === 0).length).toBeGreaterThanOrEqual(12);
    expect(firstQuarter.filter((k) => k === 1).length).toBeGreaterThanOrEqual(6);
    for (const kind of [0, 1, 2]) {
      const locals = Array.from(plan.localOf).filter((_, i) => plan.kindOf[i] === kind);
      expect(locals).toEqual(locals.map((_, i) => i));
    }
  });

  it('has no periodic devices when only flights are mixed', () => {
    const plan = planFleet({ devices: 10, rate: 50, mix: parseMix('flights=1') });
    expect(plan.kindOf.length).toBe(0);
    expect(plan.flightRate).toBe(50);
  });
});
