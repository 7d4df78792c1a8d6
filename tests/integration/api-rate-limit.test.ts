import type { Request, Response } from 'express';
import { Redis } from 'ioredis';
import { RateLimitedError } from '../../core/errors';
import { rateLimit } from '../../serving/rate-limit';
import { requireEnv, uniqueName } from './support/test-env';

/** The per-key limit's lease script on the real Redis, shared by two API processes (two connections). */
describe('rate limit on Redis', () => {
  const prefix = `${uniqueName('rl')}:`;
  const connections = [new Redis(requireEnv('REDIS_URL')), new Redis(requireEnv('REDIS_URL'))];

  afterAll(async () => {
    const keys = await connections[0]!.keys(`${prefix}*`);
    if (keys.length > 0) await connections[0]!.del(...keys);
    for (const c of connections) c.disconnect();
  });

  it('grants exactly the limit per window across processes and lets the counter expire', async () => {
    const processes = connections.map((redis) => rateLimit({ redis, prefix, limit: 250, windowMs: 600_000 }));
    const outcome = async (i: number): Promise<'ok' | 'refused'> => {
      const res = { locals: { principal: { keyId: 'key1', tenant: 't', scopes: [] } }, setHeader: () => undefined } as unknown as Response;
      try {
        await processes[i % 2]!({} as Request, res, () => undefined);
        return 'ok';
      } catch (err) {
        if (err instanceof RateLimitedError) return 'refused';
        throw err;
      }
    };
    const results = await Promise.all(Array.from({ length: 400 }, (_, i) => outcome(i)));
    expect(results.filter((r) => r === 'ok')).toHaveLength(250);
    const [key] = await connections[0]!.keys(`${prefix}key1:*`);
    expect(Number(await connections[0]!.get(key as string))).toBeGreaterThanOrEqual(250);
    const ttl = await connections[0]!.pttl(key as string);
    expect(ttl).toBeGreaterThan(600_000);
    expect(ttl).toBeLessThanOrEqual(1_200_000);
  });
});
