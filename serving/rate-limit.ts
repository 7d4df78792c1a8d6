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
 * key. Over the limit: 429 with Retry-After.
 *
 * Each process leases requests from the window's Redis counter in small blocks (1, 2, 4, … up to
 * 1% of the limit) and spends them locally, so a busy key costs one Redis round trip per block,
 * not per request. Redis never grants more than the limit in a window, whatever the number of
 * processes. The price: requests a process leased and did not use are lost to the others for
 * the rest of the window, so near the limit a key can be refused up to (processes − 1) × 1% early.
 */
export class RateLimiter {
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly cap: number;
  private readonly keys = new Map<string, KeyWindow>();

  constructor(private readonly o: RateLimitOptions) {
    this.prefix = o.prefix ?? 'flowcast:rl:';
    this.now = o.now ?? Date.now;
    this.cap = Math.max(1, Math.min(1000, Math.floor(o.limit / 100)));
  }

  get options(): { limit: number; windowMs: number } {
    return { limit: this.o.limit, windowMs: this.o.windowMs };
  }

  /** Takes one request of the key's budget, leasing from Redis when this process holds none; false once the window's budget is spent. */
  async take(keyId: string): Promise<{ ok: boolean; retryAfterSeconds: number }> {
    for (;;) {
      const state = this.stateOf(keyId);
      if (state.tokens > 0) {
        state.tokens--;
        return { ok: true, retryAfterSeconds: 0 };
      }
      if (state.spent) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((state.window + 1) * this.o.windowMs - this.now()) / 1000)) };
      await this.lease(keyId, state);
    }
  }

  /** Takes one request only if this process holds one already (no Redis): false says "ask take()". */
  tryTake(keyId: string): boolean {
    const state = this.stateOf(keyId);
    if (state.tokens === 0) return false;
    state.tokens--;
    return true;
  }

  /** Gives back a request taken in this window and not served after all. */
  refund(keyId: string): void {
    const state = this.keys.get(keyId);
    if (state && state.window === Math.floor(this.now() / this.o.windowMs)) state.tokens++;
  }

  private stateOf(keyId: string): KeyWindow {
    const window = Math.floor(this.now() / this.o.windowMs);
    let state = this.keys.get(keyId);
    if (!state || state.window !== window) {
      state = { window, tokens: 0, next: 1, spent: false };
      this.keys.set(keyId, state);
      // Forget keys idle since an earlier window.
      if (this.keys.size > 10_000) for (const [id, s] of this.keys) if (s.window < window) this.keys.delete(id);
    }
    return state;
  }

  private lease(keyId: string, state: KeyWindow): Promise<void> {
    state.leasing ??= (async () => {
      try {
        const n = state.next;
        state.next = Math.min(this.cap, n * 2);
        const granted = Number(await this.o.redis.eval(leaseScript, 1, `${this.prefix}${keyId}:${state.window}`, n, this.o.windowMs * 2, this.o.limit));
        state.tokens += granted;
        if (granted < n) state.spent = true;
      } finally {
        state.leasing = undefined;
      }
    })();
    return state.leasing;
  }
}

/** The limit as middleware; runs after requireScope (it needs the key). */
export function rateLimit(limiter: RateLimiter | RateLimitOptions): RequestHandler {
  const l = limiter instanceof RateLimiter ? limiter : new RateLimiter(limiter);
  const { limit, windowMs } = l.options;
  return async (_req, res, next) => {
    const { keyId } = principalOf(res);
    const { ok, retryAfterSeconds } = await l.take(keyId);
    if (!ok) {
      res.setHeader('Retry-After', String(retryAfterSeconds));
      throw new RateLimitedError(`API key ${keyId} made more than ${limit} requests in ${windowMs} ms; retry in ${retryAfterSeconds} s`, retryAfterSeconds);
    }
    next();
  };
}
