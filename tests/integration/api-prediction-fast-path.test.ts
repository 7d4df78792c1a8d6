import { Redis } from 'ioredis';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { createMetricsRegistry } from '../../core/metrics';
import { createApiKey } from '../../core/store/create-api-key';
import type { DelayScorer, DelayScorerSource } from '../../pipelines/scoring/delay-scorer';
import type { AlertStreamHub } from '../../serving/alert-stream-hub';
import { createApi } from '../../serving/app';
import { listenHttp, type RunningHttpServer } from '../../serving/http-server';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

/**
 * `POST /v1/predictions/delay` through `flowcast api`'s listener (the fast path in front of
 * Express) answers exactly what the Express app alone answers: the same 200 body, and the same
 * status, headers and body for every refusal, which the fast path leaves to Express.
 */
describe('prediction fast path', () => {
  let t: TestDatabase;
  let redis: Redis;
  const servers: RunningHttpServer[] = [];
  let fast: string;
  let plain: string;
  let champion = true;
  const scorer: DelayScorer = {
    modelName: 'delay', modelVersion: '7',
    score: async (legs) => legs.map((l, i) => ({
      pLate: Math.fround(0.1 + l.leg.from.length / 100), delayP50Min: 4.5 + i, delayP90Min: 20, topFeatures: [{ feature: 'lane:lane.count_24h', contribution: -0.01 }],
    })),
  };
  const source: DelayScorerSource = async () => (champion ? scorer : undefined);
  /** Per server, keys of its own (the budgets of one key are shared through Redis). */
  const keys = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    t = await createTestDatabase('fc_fast_path');
    redis = new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null });
    const logger = createLogger({ level: 'silent' });
    const hub = { close: () => undefined } as unknown as AlertStreamHub;
    const start = async (which: 'handler' | 'app') => {
      const metricsRegistry = createMetricsRegistry(uniqueName('fast'));
      const api = createApi({
        config: loadConfig({}), db: t.db, transport: { publish: async () => undefined }, logger, metricsRegistry,
        alerts: { redis, hub, rateLimit: { limit: 40, windowMs: 600_000 }, scorer: source },
      });
      const server = await listenHttp(api[which], '127.0.0.1', 0);
      servers.push(server);
      keys.set(server.url, {
        predict: (await createApiKey(t.db, { tenant: 'acme', scopes: ['predict'] })).key,
        read: (await createApiKey(t.db, { tenant: 'acme', scopes: ['read'] })).key,
        limited: (await createApiKey(t.db, { tenant: 'acme', scopes: ['predict'] })).key,
      });
      return server.url;
    };
    fast = await start('handler');
    plain = await start('app');
  });

  afterAll(async () => {
    for (const s of servers) {
      s.server.closeAllConnections();
      await s.close();
    }
    redis?.disconnect();
    await t?.drop();
  });

  const leg = { from: 'ORD', to: 'JFK', mode: 'air', plannedDeparture: '2026-11-23T14:00:00Z', plannedArrival: '2026-11-23T16:00:00Z' };

  async function post(base: string, body: string | Buffer, headers: Record<string, string> = {}, key: string | null = 'predict') {
    const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
    if (key) h['x-api-key'] = (keys.get(base) as Record<string, string>)[key] as string;
    const res = await fetch(`${base}/v1/predictions/delay`, { method: 'POST', headers: h, body });
    const text = await res.text();
    return {
      status: res.status,
      // Key ids differ per server; asOf is the read time's tile start (the two requests may straddle one).
      body: text.replace(/fc_[A-Za-z0-9]+|API key [A-Za-z0-9]+/g, 'KEY').replace(/"asOf":"[^"]+"/g, '"asOf":"T"'),
      type: res.headers.get('content-type'),
      retryAfter: res.headers.get('retry-after'),
      authenticate: res.headers.get('www-authenticate'),
      etag: res.headers.get('etag'),
    };
  }

  async function same(body: string | Buffer, headers: Record<string, string> = {}, key: string | null = 'predict') {
    const a = await post(fast, body, headers, key);
    const b = await post(plain, body, headers, key);
    expect({ ...a, etag: null }).toEqual({ ...b, etag: null });
    return { fast: a, plain: b };
  }

  it('answers a valid request as the Express route does (and serves it itself once the key is cached)', async () => {
    const first = await same(JSON.stringify(leg));
    expect(first.fast.status).toBe(200);
    // The first request looked the key up through Express; from then on the fast path answers (no ETag).
    const second = await same(JSON.stringify(leg));
    expect(second.plain.etag).not.toBeNull();
    expect(second.fast.etag).toBeNull();
    const answer = JSON.parse(second.fast.body);
    expect(answer.model).toEqual({ name: 'delay', version: '7' });
    expect(answer.predictions[0]).toMatchObject({ pLate: Math.fround(0.13), delayP50Min: 4.5, predictedArrival: '2026-11-23T16:04:30.000Z' });
    expect(answer.predictions[0].features['origin:hub.arrivals_1h']).toEqual({ value: 0, asOf: 'T', lastEventAt: null, ageSeconds: null });
    await same(JSON.stringify({ legs: [leg, { ...leg, from: 'ATLX', carrier: 'AA', shipmentId: 'S1', seq: 3 }] }));
    await same(`\ufeff  \n${JSON.stringify(leg)}`, { 'content-type': 'application/json; charset=UTF-8' });
    const metrics = await (await fetch(`${fast}/metrics`)).text();
    expect(metrics).toMatch(/flowcast_http_request_duration_seconds_count\{[^}]*method="POST",route="\/v1\/predictions\/delay",status="200"[^}]*\} [1-9]/);
  });

  it('leaves every refusal to Express: bad JSON, strictness, validation, media type, keys, scopes', async () => {
    await post(fast, JSON.stringify(leg));
    expect((await same('{"from": "ORD",')).fast.status).toBe(400);
    expect((await same('"ORD"')).fast.status).toBe(400);
    expect((await same('123')).fast.status).toBe(400);
    expect((await same(JSON.stringify({ ...leg, mode: 'boat' }))).fast.status).toBe(400);
    expect((await same(JSON.stringify({ legs: [] }))).fast.status).toBe(400);
    expect((await same(JSON.stringify(leg), { 'content-type': 'text/plain' })).fast.status).toBe(400);
    expect((await same(Buffer.from(JSON.stringify(leg), 'latin1'), { 'content-type': 'application/json; charset=koi8-r' })).fast.status).toBe(415);
    expect((await same(JSON.stringify(leg), {}, null)).fast).toMatchObject({ status: 401, authenticate: 'Bearer' });
    expect((await same(JSON.stringify(leg), { 'x-api-key': 'fc_nope_nope' }, null)).fast.status).toBe(401);
    await post(fast, JSON.stringify(leg), {}, 'read');
    expect((await same(JSON.stringify(leg), {}, 'read')).fast.status).toBe(403);
    expect((await same('x'.repeat(2 * 1024 * 1024 + 1))).fast.status).toBe(413);
  });

  it('answers 503 without a champion and 429 past the budget, as Express does', async () => {
    champion = false;
    try {
      expect((await same(JSON.stringify(leg))).fast.status).toBe(503);
    } finally {
      champion = true;
    }
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) {
      const { fast: f } = await same(JSON.stringify(leg), {}, 'limited');
      statuses.push(f.status);
      if (f.status === 429) expect(f.retryAfter).toMatch(/^\d+$/);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.slice(40)).toEqual([429, 429, 429, 429, 429]);
  });
});
