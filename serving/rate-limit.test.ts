import type { Redis } from 'ioredis';
import type { Request, Response } from 'express';
import { RateLimitedError } from '../core/errors';
import { RateLimiter, rateLimit } from './rate-limit';

/** Redis as the lease script sees it: one counter per key (what the Lua does, in JS). */
function fakeRedis() {
  const counters = new Map<string, number>();
  const calls: number[] = [];
  const redis = {
    eval: async (_script: string, _keys: number, key: string, n: number, _ttl: number, limit: number) => {
      await new Promise((r) => setImmediate(r));
      calls.push(n);
      const used = (counters.get(key) ?? 0) + n;
      counters.set(key, used);
      return Math.max(0, Math.min(n, limit - (used - n)));
    },
  };
  return { redis: redis as unknown as Redis, counters, calls };
}

async function call(handler: ReturnType<typeof rateLimit>, keyId: string): Promise<{ ok: boolean; retryAfter?: string }> {
  const headers: Record<string, string> = {};
  const res = { locals: { principal: { keyId, tenant: 't', scopes: [] } }, setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response;
  let passed = false;
  try {
    await handler({} as Request, res, () => (passed = true));
  } catch (err) {
    expect(err).toBeInstanceOf(RateLimitedError);
    return { ok: false, retryAfter: headers['Retry-After'] };
  }
  return { ok: passed };
}

describe('rateLimit', () => {
  it('lets exactly the limit through per window across processes, in few Redis round trips', async () => {
    const { redis, calls } = fakeRedis();
    let t = 60_000 * 100 + 5_000;
    const processes = [0, 1, 2].map(() => rateLimit({ redis, limit: 1000, windowMs: 60_000, now: () => t }));
    const results = await Promise.all(Array.from({ length: 1300 }, (_, i) => call(processes[i % 3]!, 'k1')));
    expect(results.filter((r) => r.ok)).toHaveLength(1000);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(300);
    expect(refused[0]!.retryAfter).toBe('55');
    // Leases of 1, 2, 4, 8 and then 10 (1% of the limit) per process: far fewer than 1,300 round trips.
    expect(calls.length).toBeLessThan(150);
    expect(Math.max(...calls)).toBe(10);
    // Another key has its own budget; the next window starts afresh.
    expect((await call(processes[0]!, 'k2')).ok).toBe(true);
    t += 60_000;
    expect((await call(processes[1]!, 'k1')).ok).toBe(true);
  });

  it('is exact for a small limit', async () => {
    const { redis } = fakeRedis();
    const handler = rateLimit({ redis, limit: 3, windowMs: 1000, now: () => 10_500 });
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await call(handler, 'k')).ok);
    expect(results).toEqual([true, true, true, false, false]);
  });

  it('takes without Redis only what this process leased, and takes back a refund in the same window', async () => {
    const { redis, calls } = fakeRedis();
    let t = 5_000;
    const limiter = new RateLimiter({ redis, limit: 1000, windowMs: 60_000, now: () => t });
    expect(limiter.tryTake('k')).toBe(false);
    expect(await limiter.take('k')).toEqual({ ok: true, retryAfterSeconds: 0 });
    expect(await limiter.take('k')).toEqual({ ok: true, retryAfterSeconds: 0 });
    // The second take leased 2: one is left here.
    expect(calls).toEqual([1, 2]);
    expect(limiter.tryTake('k')).toBe(true);
    expect(limiter.tryTake('k')).toBe(false);
    limiter.refund('k');
    expect(limiter.tryTake('k')).toBe(true);
    limiter.refund('k');
    t += 60_000;
    // A new window: the refund of the old one is gone.
    expect(limiter.tryTake('k')).toBe(false);
  });
});
