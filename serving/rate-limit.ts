import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { RateLimitedError } from '../core/errors';
import { principalOf } from './auth';

export interface RateLimitOptions {
  redis: Redis;
  /** Requests per key per window. */
  limit: number;
  windowMs: number;
  /** Key prefix in Redis; default `flowcast:rl:`. */
  prefix?: string;
  now?: () => number;
}

/**
 * Takes up to ARGV[1] requests of the window's budget (ARGV[3]) in one round trip: answers how
 * many were granted (fewer once the budget is spent, 0 after). The counter expires with its window.
 */
const leaseScript = `
local n = tonumber(ARGV[1])
local used = redis.call('INCRBY', KEYS[1], n)
if used == n then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local before = used - n
local left = tonumber(ARGV[3]) - before
if left <= 0 then return 0 end
if left < n then return left end
return n`;

interface KeyWindow {
  window: number;
  /** Requests this process may still let through in this window without asking Redis. */
  tokens: number;
  /** Size of the next lease: doubles while the key keeps asking, up to the cap. */
  next: number;
  /** Redis said the window's budget is spent. */
  spent: boolean;
  leasing?: Promise<void>;
}

/**
 * Per-API-key fixed-window limit counted in Redis, so every API process shares one budget per
 * key. Runs after requireScope (it needs the key). Over the limit: 429 with Retry-After.
 *
 * Each process leases requests from the window's Redis counter in small blocks (1, 2, 4, … up to
 * 1% of the limit) and spends them locally, so a busy key costs one Redis round trip per block,
 * not per request. Redis never grants more than the limit in a window, whatever the number of
 * processes. The price: requests a process leased and did not use are lost to the others for
 * the rest of the window, so near the limit a key can be refused up to (processes − 1) × 1% early.
 */
export function rateLimit(o: RateLimitOptions): RequestHandler {
  const prefix = o.prefix ?? 'flowcast:rl:';
  const now = o.now ?? Date.now;
  const cap = Math.max(1, Math.min(1000, Math.floor(o.limit / 100)));
  const keys = new Map<string, KeyWindow>();

  const lease = (keyId: string, state: KeyWindow): Promise<void> => {
    state.leasing ??= (async () => {
      try {
        const n = state.next;
        state.next = Math.min(cap, n * 2);
        const granted = Number(await o.redis.eval(leaseScript, 1, `${prefix}${keyId}:${state.window}`, n, o.windowMs * 2, o.limit));
        state.tokens += granted;
        if (granted < n) state.spent = true;
      } finally {
        state.leasing = undefined;
      }
    })();
    return state.leasing;
  };

  /** Takes one request of the key's budget; false once the window's budget is spent. */
  const take = async (keyId: string): Promise<{ ok: boolean; window: number }> => {
    for (;;) {
      const window = Math.floor(now() / o.windowMs);
      let state = keys.get(keyId);
      if (!state || state.window !== window) {
        state = { window, tokens: 0, next: 1, spent: false };
        keys.set(keyId, state);
        // Forget keys idle since an earlier window.
        if (keys.size > 10_000) for (const [id, s] of keys) if (s.window < window) keys.delete(id);
      }
      if (state.tokens > 0) {
        state.tokens--;
        return { ok: true, window };
      }
      if (state.spent) return { ok: false, window };
      await lease(keyId, state);
    }
  };

  return async (_req, res, next) => {
    const { keyId } = principalOf(res);
    const { ok, window } = await take(keyId);
    if (!ok) {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * o.windowMs - now()) / 1000));
      res.setHeader('Retry-After', String(retryAfter));
      throw new RateLimitedError(`API key ${keyId} made more than ${o.limit} requests in ${o.windowMs} ms; retry in ${retryAfter} s`, retryAfter);
    }
    next();
  };
}
