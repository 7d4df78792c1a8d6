import type { Knex } from 'knex';
import type { EntityRef } from '../features/entity';
import type { FeatureVector } from '../features/feature-vector';
import { getOnlineFeatures, type OnlineRequest } from '../features/online-features';
import { OnlineFeatureCache } from './online-feature-cache';

jest.mock('../features/online-features', () => ({ getOnlineFeatures: jest.fn() }));
const read = getOnlineFeatures as jest.MockedFunction<typeof getOnlineFeatures>;
const db = {} as Knex;
const minute = 60_000;

/** Each read answers vectors stamped with its read time and a running number. */
let reads = 0;
beforeEach(() => {
  reads = 0;
  read.mockReset();
  read.mockImplementation(async (_db: Knex, r: OnlineRequest) => {
    reads++;
    await new Promise((resolve) => setImmediate(resolve));
    return r.entities.map((entity): FeatureVector => ({ entity, at: r.at as number, values: { read: reads }, freshness: { read: { asOf: r.at as number, lastEventAt: null } } }));
  });
});

const hub = (id: string): EntityRef => ({ type: 'hub', id });
const t0 = 1_000 * minute + 10_000;

describe('OnlineFeatureCache', () => {
  it('reads every entity a call misses in one query, and reuses the vectors within the TTL', async () => {
    const cache = new OnlineFeatureCache({ db, ttlMs: 1000 });
    const first = await cache.get('t', [hub('A'), hub('B'), { type: 'lane', id: 'A->B' }, hub('A')], t0);
    expect(read).toHaveBeenCalledTimes(1);
    expect(read.mock.calls[0]![1].entities).toEqual([hub('A'), hub('B'), { type: 'lane', id: 'A->B' }]);
    expect([...first.keys()]).toEqual(['hub:A', 'hub:B', 'lane:A->B']);
    const again = await cache.get('t', [hub('A'), hub('C')], t0 + 900);
    expect(again.get('hub:A')).toBe(first.get('hub:A'));
    expect(read).toHaveBeenCalledTimes(2);
    expect(read.mock.calls[1]![1].entities).toEqual([hub('C')]);
    // Tenants never share vectors.
    await cache.get('other', [hub('A')], t0 + 900);
    expect(read).toHaveBeenCalledTimes(3);
    // Past the TTL: read again.
    expect((await cache.get('t', [hub('A')], t0 + 1000)).get('hub:A')?.values.read).toBe(4);
  });

  it('never holds a vector past the next tile boundary of its features', async () => {
    const cache = new OnlineFeatureCache({ db, ttlMs: 60_000 });
    // Hub features read 1, 3 and 15 minute tiles: the next boundary is the next whole minute.
    await cache.get('t', [hub('A')], 1_000 * minute + 59_000);
    await cache.get('t', [hub('A')], 1_000 * minute + 59_999);
    expect(read).toHaveBeenCalledTimes(1);
    await cache.get('t', [hub('A')], 1_001 * minute);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('shares one read between concurrent misses of the same tiles', async () => {
    const cache = new OnlineFeatureCache({ db, ttlMs: 1000 });
    const [a, b] = await Promise.all([cache.get('t', [hub('A')], t0), cache.get('t', [hub('A'), hub('B')], t0 + 1)]);
    expect(read).toHaveBeenCalledTimes(2);
    expect(b.get('hub:A')).toBe(a.get('hub:A'));
    expect(read.mock.calls[1]![1].entities).toEqual([hub('B')]);
  });

  it('reads every time with a TTL of 0, and never holds clock-dependent features (devices)', async () => {
    const off = new OnlineFeatureCache({ db, ttlMs: 0 });
    await off.get('t', [hub('A')], t0);
    await off.get('t', [hub('A')], t0);
    expect(read).toHaveBeenCalledTimes(2);
    const on = new OnlineFeatureCache({ db, ttlMs: 1000 });
    await on.get('t', [{ type: 'device', id: 'd1' }], t0);
    await on.get('t', [{ type: 'device', id: 'd1' }], t0);
    expect(read).toHaveBeenCalledTimes(4);
    expect(on.size).toBe(0);
  });

  it('keeps at most maxEntries vectors, dropping the oldest', async () => {
    const cache = new OnlineFeatureCache({ db, ttlMs: 1000, maxEntries: 2 });
    await cache.get('t', [hub('A'), hub('B'), hub('C')], t0);
    expect(cache.size).toBe(2);
    await cache.get('t', [hub('B'), hub('C')], t0 + 1);
    expect(read).toHaveBeenCalledTimes(1);
    await cache.get('t', [hub('A')], t0 + 1);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('passes a failed read on to every caller waiting for it', async () => {
    const cache = new OnlineFeatureCache({ db, ttlMs: 1000 });
    read.mockRejectedValueOnce(new Error('database down'));
    const results = await Promise.allSettled([cache.get('t', [hub('A')], t0), cache.get('t', [hub('A')], t0)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await cache.get('t', [hub('A')], t0)).get('hub:A')).toBeDefined();
  });
});
