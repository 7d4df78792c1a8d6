import type { Knex } from 'knex';
import type { EntityRef } from '../../features/entity';
import type { FeatureVector } from '../../features/feature-vector';
import { OnlineFeatureCache } from './online-feature-cache';

const db = {} as Knex;
const minute = 60_000;
const hub: EntityRef = { type: 'hub', id: 'ORD' };
const lane: EntityRef = { type: 'lane', id: 'ORD>DEN' };
const device: EntityRef = { type: 'device', id: 'truck-1' };

/** A read that answers with a counter, so each test sees which answers came from a new read. */
function fakeRead() {
  const calls: { entities: string[]; at: number }[] = [];
  let n = 0;
  const read = async (_db: Knex, _tenant: string, entities: EntityRef[], at: number): Promise<FeatureVector[]> => {
    calls.push({ entities: entities.map((e) => e.id), at });
    n++;
    return entities.map((entity) => ({ entity, at, values: { read: n }, freshness: {} }));
  };
  return { read, calls };
}

describe('online feature cache', () => {
  const t0 = Date.UTC(2026, 10, 23, 12, 0, 10);

  it('reuses a vector read in the same tiles until it is maxAgeMs old, then reads again', async () => {
    let now = t0;
    const { read, calls } = fakeRead();
    const cache = new OnlineFeatureCache({ maxAgeMs: 2000, refreshAfterMs: 2000, now: () => now, read });
    expect((await cache.get(db, 'acme', [hub, lane], t0))[0]!.values.read).toBe(1);
    now += 1999;
    expect((await cache.get(db, 'acme', [hub, lane], t0 + 1999)).map((v) => v.values.read)).toEqual([1, 1]);
    expect(calls).toHaveLength(1);
    now += 1;
    expect((await cache.get(db, 'acme', [lane], t0 + 2000))[0]!.values.read).toBe(2);
    expect(calls[1]).toEqual({ entities: ['ORD>DEN'], at: t0 + 2000 });
  });

  it('reads again for an instant in another tile (a value only changes with the tile holding the read time)', async () => {
    const { read, calls } = fakeRead();
    const cache = new OnlineFeatureCache({ now: () => t0, read });
    await cache.get(db, 'acme', [hub], t0);
    await cache.get(db, 'acme', [hub], t0 + 30_000); // the same minute: hub tiles are 1, 3 and 15 min wide
    expect(calls).toHaveLength(1);
    await cache.get(db, 'acme', [hub], t0 + minute); // the next minute's tile
    expect(calls).toHaveLength(2);
    // A late report of an earlier tile is read for its own time and does not replace the newer vector.
    await cache.get(db, 'acme', [hub], t0 - 10 * minute);
    expect(calls).toHaveLength(3);
    await cache.get(db, 'acme', [hub], t0 + minute + 1000);
    expect(calls).toHaveLength(3);
  });

  it('reads entity types whose features depend on the read time itself every time, and keeps tenants apart', async () => {
    const { read, calls } = fakeRead();
    const cache = new OnlineFeatureCache({ now: () => t0, read });
    await cache.get(db, 'acme', [device], t0);
    await cache.get(db, 'acme', [device], t0);
    expect(calls).toHaveLength(2);
    await cache.get(db, 'acme', [hub], t0);
    await cache.get(db, 'globex', [hub], t0);
    expect(calls).toHaveLength(4);
  });

  it('past refreshAfterMs still answers from the vector and reads it again in the background', async () => {
    let now = t0;
    const { read, calls } = fakeRead();
    const cache = new OnlineFeatureCache({ maxAgeMs: 2000, refreshAfterMs: 1000, now: () => now, read });
    await cache.get(db, 'acme', [hub, lane], t0);
    now += 1500;
    expect((await cache.get(db, 'acme', [hub, lane], t0 + 1500)).map((v) => v.values.read)).toEqual([1, 1]);
    await cache.settled();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({ entities: ['ORD', 'ORD>DEN'], at: t0 + 1500 });
    now += 900; // 2.4 s after the first read (past maxAgeMs), 0.9 s after the background one
    expect((await cache.get(db, 'acme', [hub, lane], t0 + 2400)).map((v) => v.values.read)).toEqual([2, 2]);
    expect(calls).toHaveLength(2);
  });
});
