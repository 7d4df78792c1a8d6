import type { Knex } from 'knex';
import { shipmentKey, type ShipmentRef } from '../../features/store/find-shipment-legs';
import type { ShipmentLeg } from '../../features/shipment-leg';
import { ShipmentLegCache } from './shipment-leg-cache';

const db = {} as Knex;
const leg = (shipmentId: string, seq: number): ShipmentLeg => ({ shipmentId, seq, mode: 'road', from: 'HAM', to: 'MUC', plannedDeparture: 0, plannedArrival: 1 });

describe('shipment leg cache', () => {
  it('reads each shipment once per maxAgeMs (each entry living 50–100 % of it), those without legs included', async () => {
    let now = 0;
    const booked = new Map([[shipmentKey('acme', 'S1'), [leg('S1', 0), leg('S1', 1)]]]);
    const asked: string[][] = [];
    const cache = new ShipmentLegCache({
      maxAgeMs: 2000, now: () => now, random: () => 1,
      read: async (_db: Knex, refs: ShipmentRef[]) => {
        asked.push(refs.map((r) => r.shipmentId));
        return new Map([...booked].filter(([k]) => refs.some((r) => shipmentKey(r.tenant, r.shipmentId) === k)));
      },
    });
    const refs = [{ tenant: 'acme', shipmentId: 'S1' }, { tenant: 'acme', shipmentId: 'S2' }, { tenant: 'acme', shipmentId: 'S1' }];
    const first = await cache.get(db, refs);
    expect([...first.keys()]).toEqual([shipmentKey('acme', 'S1')]);
    expect(first.get(shipmentKey('acme', 'S1'))!.map((l) => l.seq)).toEqual([0, 1]);
    expect(asked).toEqual([['S1', 'S2']]);
    // S2 gets booked: seen once its "no legs" entry expires.
    booked.set(shipmentKey('acme', 'S2'), [leg('S2', 0)]);
    now = 1999;
    expect((await cache.get(db, refs)).has(shipmentKey('acme', 'S2'))).toBe(false);
    expect(asked).toHaveLength(1);
    now = 2000;
    expect((await cache.get(db, refs)).has(shipmentKey('acme', 'S2'))).toBe(true);
    expect(asked).toEqual([['S1', 'S2'], ['S1', 'S2']]);
  });

  it('with refreshInBackground, uses an entry past half its life and reads it again in one background read', async () => {
    let now = 0;
    let booked = [leg('S1', 0)];
    const asked: string[][] = [];
    const cache = new ShipmentLegCache({
      maxAgeMs: 2000, now: () => now, random: () => 1, refreshInBackground: true,
      read: async (_db: Knex, refs: ShipmentRef[]) => {
        asked.push(refs.map((r) => r.shipmentId));
        return new Map(refs.map((r) => [shipmentKey(r.tenant, r.shipmentId), booked.map((l) => ({ ...l, shipmentId: r.shipmentId }))]));
      },
    });
    const s1 = [{ tenant: 'acme', shipmentId: 'S1' }];
    const s2 = [{ tenant: 'acme', shipmentId: 'S2' }];
    await cache.get(db, s1);
    now = 500;
    await cache.get(db, s2);
    expect(asked).toEqual([['S1'], ['S2']]);
    // S1 re-planned with a second leg. Past half its life S1 is still answered as held, and both due entries are read in one go.
    booked = [leg('S1', 0), leg('S1', 1)];
    now = 1500;
    expect((await cache.get(db, [...s1, ...s2])).get(shipmentKey('acme', 'S1'))).toHaveLength(1);
    await cache.settled();
    expect(asked).toEqual([['S1'], ['S2'], ['S1', 'S2']]);
    expect((await cache.get(db, s1)).get(shipmentKey('acme', 'S1'))).toHaveLength(2);
    expect(asked).toHaveLength(3);
  });

  it('asks for a due entry once while its background read is in flight, keeps a newer foreground read, and reports a failed background read', async () => {
    let now = 0;
    let version = 1;
    const asked: string[][] = [];
    let release: (() => void) | undefined;
    const failures: string[] = [];
    const cache = new ShipmentLegCache({
      maxAgeMs: 2000, now: () => now, random: () => 1, refreshInBackground: true, onBackgroundError: (err) => failures.push(err.message),
      read: async (_db: Knex, refs: ShipmentRef[]) => {
        asked.push(refs.map((r) => r.shipmentId));
        const seen = version;
        if (asked.length === 2) await new Promise<void>((r) => (release = r)); // the background read is slow
        if (asked.length === 4) throw new Error('database away');
        return new Map(refs.map((r) => [shipmentKey(r.tenant, r.shipmentId), Array.from({ length: seen }, (_, i) => leg(r.shipmentId, i))]));
      },
    });
    const s1 = [{ tenant: 'acme', shipmentId: 'S1' }];
    const legsOf = async () => (await cache.get(db, s1)).get(shipmentKey('acme', 'S1'))!.length;
    expect(await legsOf()).toBe(1);
    now = 1000; // due: read in the background, slowly
    expect(await legsOf()).toBe(1);
    expect(await legsOf()).toBe(1);
    expect(asked).toEqual([['S1'], ['S1']]);
    // Expired meanwhile: read in the foreground, newer than the slow background read.
    version = 3;
    now = 2000;
    expect(await legsOf()).toBe(3);
    release!();
    await cache.settled();
    expect(await legsOf()).toBe(3);
    now = 3000;
    expect(await legsOf()).toBe(3);
    await cache.settled();
    expect(failures).toEqual(['database away']);
  });
});
