import { Redis } from 'ioredis';
import { createLogger } from '../../core/logger';
import { RedisStreamsTransport } from '../../pipelines/redis-streams-transport';
import type { IncomingMessage } from '../../pipelines/transport';
import { waitFor } from './support/spawn-flowcast';
import { requireEnv, uniqueName } from './support/test-env';

describe('Redis Streams transport', () => {
  let redis: Redis;
  const logger = createLogger({ level: 'silent' });
  const keys: string[] = [];
  const transportFor = (extra: Partial<ConstructorParameters<typeof RedisStreamsTransport>[0]> = {}) => {
    const streamKey = extra.streamKey ?? uniqueName('fc:test:stream');
    keys.push(streamKey);
    return new RedisStreamsTransport({ redis, logger, streamKey, ...extra });
  };
  const publishN = (t: RedisStreamsTransport, n: number) =>
    t.publish(Array.from({ length: n }, (_, i) => ({ tenant: 'acme', data: JSON.stringify({ i }) })));

  beforeAll(() => {
    redis = new Redis(requireEnv('REDIS_URL'));
  });
  afterAll(async () => {
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('delivers each message with its tenant and bytes, and acknowledges after the handler', async () => {
    const t = transportFor();
    await t.publish([{ tenant: 'acme', data: Buffer.from([0xff, 0xfe, 0x7b]) }]);
    const seen: IncomingMessage[] = [];
    const c = t.consume({ group: 'g', maxBatch: 10, maxWaitMs: 20 }, async (b) => void seen.push(...b));
    await waitFor('delivery', async () => seen.length === 1);
    await c.stop();
    expect(seen[0]!.tenant).toBe('acme');
    expect(seen[0]!.data).toEqual(Buffer.from([0xff, 0xfe, 0x7b]));
    expect(((await redis.xpending(t.streamKey, 'g')) as [number])[0]).toBe(0);
  });

  it('retries a batch whose handler failed and acknowledges it once it succeeds', async () => {
    const t = transportFor();
    await publishN(t, 5);
    let calls = 0;
    const c = t.consume({ group: 'g', maxBatch: 10, maxWaitMs: 20 }, async () => {
      calls += 1;
      if (calls === 1) throw new Error('database away');
    });
    await waitFor('the retry', async () => calls >= 2);
    await c.stop();
    expect(((await redis.xpending(t.streamKey, 'g')) as [number])[0]).toBe(0);
  });

  it('takes over messages a dead consumer read but never acknowledged', async () => {
    const t = transportFor({ reclaimIdleMs: 200 });
    const key = t.streamKey;
    await redis.xgroup('CREATE', key, 'g', '0', 'MKSTREAM');
    await publishN(t, 30);
    // A consumer that read everything and died before acknowledging.
    await redis.xreadgroup('GROUP', 'g', 'dead', 'COUNT', 30, 'STREAMS', key, '>');
    const got: IncomingMessage[] = [];
    const c = t.consume({ group: 'g', maxBatch: 10, maxWaitMs: 20 }, async (b) => void got.push(...b));
    await waitFor('the orphans to be reclaimed and handled', async () => got.length === 30, 10_000);
    await c.stop();
    expect(got.every((m) => m.redeliveries === 1)).toBe(true);
    expect(((await redis.xpending(key, 'g')) as [number])[0]).toBe(0);
  });

  it('trims only what every group has acknowledged', async () => {
    const t = transportFor({ groups: ['slow'] });
    const key = t.streamKey;
    await publishN(t, 100);
    let handled = 0;
    const c = t.consume({ group: 'fast', maxBatch: 50, maxWaitMs: 20 }, async (b) => void (handled += b.length));
    await waitFor('the fast group to finish', async () => handled === 100);
    await c.stop();
    // The slow group has read nothing: nothing may go.
    expect(await t.trim(redis)).toBe(0);
    expect(await redis.xlen(key)).toBe(100);

    // The slow group reads 40 and acknowledges 20: the first 20 can go, the pending and unread stay.
    const read = (await redis.xreadgroup('GROUP', 'slow', 's1', 'COUNT', 40, 'STREAMS', key, '>')) as [string, [string, string[]][]][];
    const ids = read[0]![1].map(([id]) => id);
    await redis.xack(key, 'slow', ...ids.slice(0, 20));
    expect(await t.trim(redis)).toBe(20);
    expect(await redis.xlen(key)).toBe(80);
    const remaining = (await redis.xrange(key, '-', '+')).map(([id]) => id);
    expect(remaining[0]).toBe(ids[20]);
  });
});
