import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { createMetricsRegistry } from '../../core/metrics';
import { createApiKey } from '../../core/store/create-api-key';
import { listApiKeys } from '../../core/store/list-api-keys';
import { revokeApiKey } from '../../core/store/revoke-api-key';
import { RedisStreamsTransport } from '../../pipelines/redis-streams-transport';
import type { Consumption, IncomingMessage, OutgoingMessage } from '../../pipelines/transport';
import { createApp } from '../../serving/app';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

/** The 202 answer, or the error answer. */
interface Answer {
  accepted?: number;
  rejected?: unknown[];
  error?: { code: string; message: string; details?: { accepted: number; rejected: unknown[] } };
}

/**
 * POST /v1/reports against real PostgreSQL (API keys, dead letters) and the real Redis Streams
 * transport: what the API accepts is read back from the stream by a consumer group of this test.
 */
describe('HTTP ingest: POST /v1/reports', () => {
  jest.setTimeout(30_000);
  let t: TestDatabase;
  let redis: Redis;
  let transport: RedisStreamsTransport;
  let consumption: Consumption;
  let server: Server;
  let base: string;
  const received: IncomingMessage[] = [];
  const publishCalls: OutgoingMessage[][] = [];
  let streamDown = false;
  const keys: Record<'ingest' | 'read' | 'revoked' | 'admin', string> = { ingest: '', read: '', revoked: '', admin: '' };

  beforeAll(async () => {
    t = await createTestDatabase('fc_api');
    redis = new Redis(requireEnv('REDIS_URL'));
    const logger = createLogger({ level: 'silent' });
    transport = new RedisStreamsTransport({ redis, logger, streamKey: uniqueName('fc_api_reports'), groups: ['test'] });
    consumption = transport.consume({ group: 'test', maxBatch: 500, maxWaitMs: 20 }, async (batch) => {
      received.push(...batch);
    });
    keys.ingest = (await createApiKey(t.db, { tenant: 'acme', scopes: ['ingest'], name: 'trucks' })).key;
    keys.read = (await createApiKey(t.db, { tenant: 'acme', scopes: ['read', 'predict'] })).key;
    keys.admin = (await createApiKey(t.db, { tenant: 'globex', scopes: ['admin'] })).key;
    const revoked = await createApiKey(t.db, { tenant: 'acme', scopes: ['ingest'] });
    await revokeApiKey(t.db, revoked.id);
    keys.revoked = revoked.key;
    const recording = {
      publish: async (m: OutgoingMessage[]) => {
        if (streamDown) throw new Error('Connection is closed.');
        publishCalls.push(m);
        await transport.publish(m);
      },
    };
    const config = loadConfig({ DATABASE_URL: t.url });
    const app = createApp({ config, db: t.db, transport: recording, logger, metricsRegistry: createMetricsRegistry('api') });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await consumption.stop();
    await redis.del(transport['streamKey'] as string);
    await transport.close();
    redis.disconnect();
    await t.drop();
  });

  const report = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    deviceId: `dev-${id}`,
    ts: '2026-11-20T08:30:00Z',
    location: { lat: 52.37, lon: 4.9 },
    metrics: { battery_pct: 81 },
    ...extra,
  });

  async function post(body: string | Buffer, headers: Record<string, string> = {}, key: string | null = keys.ingest) {
    const res = await fetch(`${base}/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'x-api-key': key }), ...headers },
      body,
    });
    return { status: res.status, body: (await res.json()) as Answer };
  }

  /** Waits until the test's consumer group has read the reports with these ids, and returns them. */
  async function published(ids: string[]): Promise<IncomingMessage[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = received.filter((m) => ids.includes(idOf(m)));
      if (found.length >= ids.length || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Runs `request`, then a sentinel report; nothing but the sentinel may reach the stream. */
  async function expectNothingPublishedBy(request: () => Promise<unknown>): Promise<void> {
    const before = received.length;
    await request();
    const sentinel = uniqueName('sentinel');
    expect((await post(JSON.stringify(report(sentinel)))).status).toBe(202);
    await published([sentinel]);
    expect(received.slice(before).map(idOf)).toEqual([sentinel]);
  }

  async function deadLetters(idPrefix: string) {
    const rows = (await t.db('dead_letters').where({ source: 'http' }).orderBy('id')) as {
      tenant: string;
      reason: string;
      field_path: string;
      message: string;
      raw: Buffer;
    }[];
    return rows.filter((r) => r.raw.toString('utf8').includes(idPrefix));
  }

  const idOf = (m: IncomingMessage) => (JSON.parse(m.data.toString('utf8')) as { id: string }).id;

  describe('happy paths', () => {
    it('accepts a single report and publishes it with the key\'s tenant, keyed by device', async () => {
      const body = JSON.stringify(report('single-1'));
      expect(await post(body)).toEqual({ status: 202, body: { accepted: 1, rejected: [] } });
      const [message] = await published(['single-1']);
      expect(message?.tenant).toBe('acme');
      expect(message?.data.toString()).toBe(body);
      expect(publishCalls.at(-1)).toEqual([{ tenant: 'acme', data: Buffer.from(body), orderingKey: 'dev-single-1' }]);
    });

    it('accepts a JSON array', async () => {
      const ids = ['arr-1', 'arr-2', 'arr-3'];
      expect(await post(JSON.stringify(ids.map((id) => report(id))))).toEqual({ status: 202, body: { accepted: 3, rejected: [] } });
      const messages = await published(ids);
      expect(messages.map(idOf)).toEqual(ids);
      expect(messages.every((m) => m.tenant === 'acme')).toBe(true);
    });

    it('accepts NDJSON, with the key sent as Authorization: Bearer', async () => {
      const ids = ['nd-1', 'nd-2', 'nd-3'];
      const body = ids.map((id) => JSON.stringify(report(id))).join('\n') + '\n';
      const headers = { 'content-type': 'application/x-ndjson', authorization: `Bearer ${keys.ingest}` };
      expect(await post(body, headers, null)).toEqual({ status: 202, body: { accepted: 3, rejected: [] } });
      expect((await published(ids)).map(idOf)).toEqual(ids);
    });

    it('takes the tenant from the key, never from the payload', async () => {
      const res = await post(JSON.stringify([report('tn-1'), { ...report('tn-2'), tenant: 'acme' }]), {}, keys.admin);
      expect(res.status).toBe(202);
      expect(res.body.rejected).toEqual([
        { index: 1, reason: 'schema', path: '', message: expect.stringContaining('Unrecognized key: "tenant"') },
      ]);
      const [message] = await published(['tn-1']);
      expect(message?.tenant).toBe('globex');
    });
  });

  describe('bad input: each rejection names its field, valid siblings are still published', () => {
    it('wrong types, missing ts, latitude 91 and a "NaN" metric in one JSON array', async () => {
      const batch = [
        report('bad-a-ok1'),
        report('bad-a-type', { deviceId: 42 }),
        (({ ts: _ts, ...rest }) => rest)(report('bad-a-nots')),
        report('bad-a-lat', { location: { lat: 91, lon: 4.9 } }),
        report('bad-a-nan', { metrics: { battery_pct: 'NaN' } }),
        report('bad-a-ok2'),
      ];
      const res = await post(JSON.stringify(batch));
      expect(res.status).toBe(202);
      expect(res.body.accepted).toBe(2);
      expect(res.body.rejected).toEqual([
        { index: 1, reason: 'schema', path: 'deviceId', message: expect.stringMatching(/^deviceId: .*expected string, received number/i) },
        { index: 2, reason: 'schema', path: 'ts', message: expect.stringMatching(/^ts: .*expected string, received undefined/i) },
        { index: 3, reason: 'schema', path: 'location.lat', message: expect.stringMatching(/^location\.lat: .*<=90/) },
        { index: 4, reason: 'schema', path: 'metrics.battery_pct', message: expect.stringMatching(/^metrics\.battery_pct: .*expected number, received string/i) },
      ]);
      expect((await published(['bad-a-ok1', 'bad-a-ok2'])).map(idOf)).toEqual(['bad-a-ok1', 'bad-a-ok2']);
      expect(received.map(idOf).filter((id) => id.startsWith('bad-a-') && !id.includes('ok'))).toEqual([]);

      const letters = await deadLetters('bad-a-');
      expect(letters.map((l) => [l.tenant, l.reason, l.field_path])).toEqual([
        ['acme', 'schema', 'deviceId'],
        ['acme', 'schema', 'ts'],
        ['acme', 'schema', 'location.lat'],
        ['acme', 'schema', 'metrics.battery_pct'],
      ]);
      expect(JSON.parse(letters[2]!.raw.toString())).toEqual(batch[3]);
    });

    it('a literal NaN in an NDJSON line is rejected at its field; that line\'s bytes are dead-lettered', async () => {
      const nanLine = '{"id":"bad-n-nan","deviceId":"dev-n","ts":"2026-11-20T08:30:00Z","metrics":{"temp_c":NaN}}';
      const lines = [JSON.stringify(report('bad-n-ok1')), nanLine, '{"id":"bad-n-cut","deviceId":', JSON.stringify(report('bad-n-ok2'))];
      const res = await post(lines.join('\n'), { 'content-type': 'application/x-ndjson' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        accepted: 2,
        rejected: [
          { index: 1, reason: 'bad_json', path: 'metrics.temp_c', message: expect.stringContaining('NaN is not a JSON number') },
          { index: 2, reason: 'bad_json', path: 'deviceId', message: expect.stringContaining('unexpected end of input') },
        ],
      });
      expect((await published(['bad-n-ok1', 'bad-n-ok2'])).map(idOf)).toEqual(['bad-n-ok1', 'bad-n-ok2']);
      const letters = await deadLetters('bad-n-');
      expect(letters.map((l) => [l.reason, l.field_path, l.raw.toString()])).toEqual([
        ['bad_json', 'metrics.temp_c', nanLine],
        ['bad_json', 'deviceId', lines[2]],
      ]);
    });

    it('a request without one valid report gets 400 listing every rejection, and is dead-lettered', async () => {
      const lone = (({ ts: _ts, ...rest }) => rest)(report('bad-s-nots'));
      await expectNothingPublishedBy(async () => {
        const res = await post(JSON.stringify(lone));
        expect(res.status).toBe(400);
        expect(res.body.error).toEqual({
          code: 'FC_REPORTS_REJECTED',
          message: 'no valid report in the request (1 rejected; first, report 0: ts: Invalid input: expected string, received undefined)',
          details: { accepted: 0, rejected: [{ index: 0, reason: 'schema', path: 'ts', message: expect.any(String) }] },
        });
      });
      expect((await deadLetters('bad-s-nots')).map((l) => [l.reason, l.field_path])).toEqual([['schema', 'ts']]);
    });

    it('a 6 MB body gets 413 naming the limit, and nothing is published', async () => {
      const big = JSON.stringify([report('big-1', { text: 'x'.repeat(6 * 1024 * 1024) })]);
      await expectNothingPublishedBy(async () => {
        const res = await post(big);
        expect(res.status).toBe(413);
        expect(res.body.error).toMatchObject({ code: 'FC_PAYLOAD_TOO_LARGE', message: expect.stringContaining('5242880 bytes (5 MB) (HTTP_MAX_BODY_BYTES)') });
      });
    });

    it('more than 5,000 reports get 413 naming the limit', async () => {
      const body = Array.from({ length: 5001 }, (_, i) => JSON.stringify(report(`many-${i}`))).join('\n');
      await expectNothingPublishedBy(async () => {
        const res = await post(body, { 'content-type': 'application/x-ndjson' });
        expect(res.status).toBe(413);
        expect(res.body.error?.message).toBe('the request carries 5001 reports; the limit is 5000 per request (HTTP_MAX_REPORTS): split it');
      });
    });

    it('a body that is not JSON at all is rejected whole and dead-lettered', async () => {
      const res = await post('{"id":"bad-j-1", oops}');
      expect(res.status).toBe(400);
      expect(res.body.error?.details?.rejected).toEqual([
        { index: 0, reason: 'bad_json', path: '', message: expect.stringContaining('where a double-quoted key was expected') },
      ]);
      expect((await deadLetters('bad-j-1')).map((l) => l.raw.toString())).toEqual(['{"id":"bad-j-1", oops}']);
    });

    it('a transport failure gets 503 asking the producer to retry', async () => {
      streamDown = true;
      try {
        const res = await post(JSON.stringify(report('down-1')));
        expect(res.status).toBe(503);
        expect(res.body.error).toEqual({
          code: 'FC_NOT_READY',
          message: 'the report stream is unavailable right now: nothing of this request was accepted; retry it',
        });
      } finally {
        streamDown = false;
      }
    });

    it('an unsupported content type gets 415 naming the accepted ones', async () => {
      const res = await post('id=1', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(415);
      expect(res.body.error?.message).toContain('send application/json (one report or an array) or application/x-ndjson');
    });
  });

  describe('API keys', () => {
    it.each([
      ['no key', null, 'missing API key: send it in the x-api-key header'],
      ['a key of another form', 'letmein', 'unknown API key'],
      ['an unknown key', 'fc_0123456789abcdef_notarealsecret', 'unknown API key'],
      ['a wrong secret', null, 'unknown API key'],
      ['a revoked key', null, 'was revoked'],
    ])('refuses %s with 401 and publishes nothing', async (label, given, message) => {
      const key =
        label === 'a wrong secret' ? keys.ingest.replace(/_[^_]+$/, '_wrongsecret') : label === 'a revoked key' ? keys.revoked : given;
      await expectNothingPublishedBy(async () => {
        const res = await post(JSON.stringify(report(uniqueName('unauth'))), {}, key);
        expect(res.status).toBe(401);
        expect(res.body.error).toMatchObject({ code: 'FC_UNAUTHORIZED', message: expect.stringContaining(message) });
      });
    });

    it('refuses a key without the ingest scope with 403 naming the scope', async () => {
      await expectNothingPublishedBy(async () => {
        const res = await post(JSON.stringify(report(uniqueName('scope'))), {}, keys.read);
        expect(res.status).toBe(403);
        expect(res.body.error?.code).toBe('FC_FORBIDDEN');
        expect(res.body.error?.message).toMatch(/lacks the "ingest" scope needed for POST \/v1\/reports \(it has: read, predict\)/);
      });
    });

    it('stores only a hash of each secret, and lists keys without it', async () => {
      const rows = (await t.db('api_keys').select('id', 'secret_hash')) as { id: string; secret_hash: string }[];
      const secret = keys.ingest.split('_').slice(2).join('_');
      expect(rows.some((r) => r.secret_hash.includes(secret))).toBe(false);
      const listed = await listApiKeys(t.db, 'acme');
      expect(listed.map((k) => k.scopes)).toEqual([['ingest'], ['read', 'predict'], ['ingest']]);
      expect(JSON.stringify(listed)).not.toMatch(/secret|hash/i);
    });
  });

  describe('operations endpoints', () => {
    it('answers /healthz and /readyz, and times requests in /metrics', async () => {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/flowcast_http_request_duration_seconds_count\{role="api",method="POST",route="\/v1\/reports",status="202"\} \d+/);
      expect(metrics).toMatch(/flowcast_dead_letters_total\{reason="schema",role="api"\} \d+/);
    });

    it('answers unknown routes with a JSON 404', async () => {
      const res = await fetch(`${base}/v1/nothing`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'FC_NOT_FOUND', message: 'no route for GET /v1/nothing' } });
    });
  });
});
