import type { Knex } from 'knex';
import type { EntityRef } from './entity';
import type { FeatureVector } from './feature-vector';
import { OnlineFeatureCache, type OnlineFeatureCacheOptions } from './online-feature-cache';

const db = {} as Knex;
const minute = 60_000;
const hub = (id: string): EntityRef => ({ type: 'hub', id });
const lane: EntityRef = { type: 'lane', id: 'ORD>DEN' };
const device: EntityRef = { type: 'device', id: 'truck-1' };

/**
 * A cache on a read that answers vectors stamped with a running number (so each test sees which
 * answers came from a new read) and a clock the test moves.
 */
function setup(options: Partial<OnlineFeatureCacheOptions> & { clock?: number } = {}) {
  const calls: { tenant: string; entities: string[]; at: number }[] = [];
  const clock = { now: options.clock ?? 0 };
  let fail: Error | undefined;
  const read = async (tenant: string, entities: EntityRef[], at: number): Promise<FeatureVector[]> => {
    calls.push({ tenant, entities: entities.map((e) => e.id), at });
    const n = calls.length;
    await new Promise((resolve) => setImmediate(resolve));
    if (fail) {
      const error = fail;
      fail = undefined;
      throw error;
    }
    return entities.map((entity) => ({ entity, at, values: { read: n }, freshness: { read: { asOf: at, lastEventAt: null } } }));
  };
  const cache = new OnlineFeatureCache({ db, maxAgeMs: 1000, now: () => clock.now, read, ...options });
  return { cache, calls, clock, failNext: (e: Error) => (fail = e) };
}

describe('OnlineFeatureCache', () => {
  const t0 = Date.UTC(2026, 10, 23, 12, 0, 10);

  it('reads every entity a call misses in one query, keyed type:id, and reuses the vectors until they are maxAgeMs old', async () => {
    const { cache, calls, clock } = setup({ maxAgeMs: 2000, clock: t0 });
    const first = await cache.get('acme', [hub('A'), hub('B'), lane, hub('A')], t0);
    expect(calls).toEqual([{ tenant: 'acme', entities: ['A', 'B', 'ORD>DEN'], at: t0 }]);
    expect([...first.keys()]).toEqual(['hub:A', 'hub:B', 'lane:ORD>DEN']);
    clock.now += 1999;
    const again = await cache.get('acme', [hub('A'), hub('C'), lane], t0 + 1999);
    expect(again.get('hub:A')).toBe(first.get('hub:A'));
    expect(again.get('lane:ORD>DEN')).toBe(first.get('lane:ORD>DEN'));
    expect(calls[1]).toEqual({ tenant: 'acme', entities: ['C'], at: t0 + 1999 });
    // Tenants never share vectors.
    await cache.get('globex', [hub('A')], t0 + 1999);
    expect(calls).toHaveLength(3);
    // maxAgeMs after the read: read again.
    clock.now += 1;
    expect((await cache.get('acme', [lane], t0 + 2000)).get('lane:ORD>DEN')?.values.read).toBe(4);
    expect(calls[3]).toEqual({ tenant: 'acme', entities: ['ORD>DEN'], at: t0 + 2000 });
  });

  it('reads again for an instant in other tiles: never past the next tile boundary of the features', async () => {
    const { cache, calls } = setup({ maxAgeMs: 60_000, clock: t0 });
    // Hub features read 1, 3 and 15 minute tiles: the next boundary is the next whole minute.
    await cache.get('acme', [hub('A')], 1_000 * minute + 59_000);
    await cache.get('acme', [hub('A')], 1_000 * minute + 59_999);
    expect(calls).toHaveLength(1);
    await cache.get('acme', [hub('A')], 1_001 * minute);
    expect(calls).toHaveLength(2);
    // A late report of an earlier tile is read for its own time and does not replace the newer vector.
    await cache.get('acme', [hub('A')], 990 * minute);
    expect(calls).toHaveLength(3);
    expect((await cache.get('acme', [hub('A')], 1_001 * minute + 1000)).get('hub:A')?.values.read).toBe(2);
    expect(calls).toHaveLength(3);
  });

  it('shares one read between concurrent misses of the same tiles', async () => {
    const { cache, calls } = setup({ clock: t0 });
    const [a, b] = await Promise.all([cache.get('acme', [hub('A')], t0), cache.get('acme', [hub('A'), hub('B')], t0 + 1)]);
    expect(calls).toHaveLength(2);
    expect(b.get('hub:A')).toBe(a.get('hub:A'));
    expect(calls[1]!.entities).toEqual(['B']);
    expect([...b.keys()]).toEqual(['hub:A', 'hub:B']);
  });

  it('reads every time with maxAgeMs 0, and never holds entity types with clock-dependent features (devices)', async () => {
    const off = setup({ maxAgeMs: 0, clock: t0 });
    await off.cache.get('acme', [hub('A')], t0);
    await off.cache.get('acme', [hub('A')], t0);
    expect(off.calls).toHaveLength(2);
    expect(off.cache.size).toBe(0);
    const on = setup({ clock: t0 });
    await on.cache.get('acme', [device], t0);
    await Promise.all([on.cache.get('acme', [device], t0), on.cache.get('acme', [device], t0)]);
    expect(on.calls).toHaveLength(3);
    expect(on.cache.size).toBe(0);
  });

  it('keeps at most maxEntries vectors, dropping the oldest', async () => {
    const { cache, calls } = setup({ maxEntries: 2, clock: t0 });
    await cache.get('acme', [hub('A'), hub('B'), hub('C')], t0);
    expect(cache.size).toBe(2);
    await cache.get('acme', [hub('B'), hub('C')], t0 + 1);
    expect(calls).toHaveLength(1);
    await cache.get('acme', [hub('A')], t0 + 1);
    expect(calls).toHaveLength(2);
  });

  it('passes a failed read on to every caller waiting for it, and keeps nothing of it', async () => {
    const { cache, calls, failNext } = setup({ clock: t0 });
    failNext(new Error('database down'));
    const results = await Promise.allSettled([cache.get('acme', [hub('A')], t0), cache.get('acme', [hub('A')], t0)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toHaveLength(1);
    expect((await cache.get('acme', [hub('A')], t0)).get('hub:A')).toBeDefined();
    expect(calls).toHaveLength(2);
  });

  it('past refreshAfterMs still answers from the vector and reads it again in the background', async () => {
    const { cache, calls, clock } = setup({ maxAgeMs: 2000, refreshAfterMs: 1000, clock: t0 });
    await cache.get('acme', [hub('ORD'), lane], t0);
    clock.now += 1500;
    expect([...(await cache.get('acme', [hub('ORD'), lane], t0 + 1500)).values()].map((v) => v.values.read)).toEqual([1, 1]);
    await cache.settled();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({ tenant: 'acme', entities: ['ORD', 'ORD>DEN'], at: t0 + 1500 });
    clock.now += 900; // 2.4 s after the first read (past maxAgeMs), 0.9 s after the background one
    expect([...(await cache.get('acme', [hub('ORD'), lane], t0 + 2400)).values()].map((v) => v.values.read)).toEqual([2, 2]);
    expect(calls).toHaveLength(2);
  });

  it('without refreshAfterMs reads nothing in the background', async () => {
    const { cache, calls, clock } = setup({ maxAgeMs: 2000, clock: t0 });
    await cache.get('acme', [hub('ORD')], t0);
    clock.now += 1999;
    await cache.get('acme', [hub('ORD')], t0 + 1999);
    await cache.settled();
    expect(calls).toHaveLength(1);
  });

  it('reads a vector in use ahead of the next tile boundary, so the first reads after it find it held', async () => {
    const { cache, calls, clock } = setup({ maxAgeMs: 2000, refreshAfterMs: 1000, readAheadMs: 1000, clock: 1_000 * minute + 58_500 });
    const boundary = 1_001 * minute;
    await cache.get('acme', [hub('A')], boundary - 1500);
    await cache.settled();
    expect(calls).toHaveLength(1);
    // Within readAheadMs of the boundary: answered from the vector held, and read once as of the boundary in the background.
    clock.now += 600;
    expect((await cache.get('acme', [hub('A')], boundary - 900)).get('hub:A')?.values.read).toBe(1);
    expect((await cache.get('acme', [hub('A')], boundary - 800)).get('hub:A')?.values.read).toBe(1);
    await cache.settled();
    expect(calls.map((c) => c.at)).toEqual([boundary - 1500, boundary]);
    // Before the boundary the vector of the current tiles still answers.
    expect((await cache.get('acme', [hub('A')], boundary - 1)).get('hub:A')?.values.read).toBe(1);
    // After it, the vector read ahead answers without a read; being older than refreshAfterMs, it is read again in the background.
    clock.now += 1000;
    expect((await cache.get('acme', [hub('A')], boundary + 100)).get('hub:A')?.values.read).toBe(2);
    await cache.settled();
    expect(calls.map((c) => c.at)).toEqual([boundary - 1500, boundary, boundary + 100]);
    expect((await cache.get('acme', [hub('A')], boundary + 200)).get('hub:A')?.values.read).toBe(3);
    // Entity types never held are never read ahead.
    await cache.get('acme', [device], 1_002 * minute - 500);
    await cache.settled();
    expect(calls.filter((c) => c.entities.includes('truck-1'))).toHaveLength(1);
  });
});
