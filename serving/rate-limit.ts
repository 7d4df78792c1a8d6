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
}

/**
 * Per-API-key fixed-window limit counted in Redis, so every API process shares one budget per
 * key. Runs after requireScope (it needs the key). Over the limit: 429 with Retry-After.
 */
export function rateLimit(o: RateLimitOptions): RequestHandler {
  const prefix = o.prefix ?? 'flowcast:rl:';
  return async (_req, res, next) => {
    const { keyId } = principalOf(res);
    const window = Math.floor(Date.now() / o.windowMs);
    const key = `${prefix}${keyId}:${window}`;
    const [[, count]] = (await o.redis.multi().incr(key).pexpire(key, o.windowMs * 2).exec()) as [[Error | null, number]];
    if (count > o.limit) {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * o.windowMs - Date.now()) / 1000));
      res.setHeader('Retry-After', String(retryAfter));
      throw new RateLimitedError(`API key ${keyId} made more than ${o.limit} requests in ${o.windowMs} ms; retry in ${retryAfter} s`, retryAfter);
    }
    next();
  };
}
