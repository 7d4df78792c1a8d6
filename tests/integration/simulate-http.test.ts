import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { createMetricsRegistry } from '../../core/metrics';
import { createApiKey } from '../../core/store/create-api-key';
import { RedisStreamsTransport } from '../../pipelines/redis-streams-transport';
import { parseMix } from '../../pipelines/simulator/fleet-mix';
import { runFleet } from '../../pipelines/simulator/fleet-runner';
import { HttpSink } from '../../pipelines/simulator/http-sink';
import { createSimulation } from '../../pipelines/simulator/simulation';
import type { Consumption, IncomingMessage } from '../../pipelines/transport';
import { createApp } from '../../serving/app';
import { waitFor } from './support/spawn-flowcast';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

/** The simulator posting NDJSON to the real API, which publishes to Redis Streams under the key's tenant. */
describe('simulated fleet over HTTP', () => {
  let t: TestDatabase;
  let redis: Redis;
  let transport: RedisStreamsTransport;
  let consumption: Consumption;
  let server: Server;
  let base: string;
  const received: IncomingMessage[] = [];

  beforeAll(async () => {
    t = await createTestDatabase('fc_simhttp');
    redis = new Redis(requireEnv('REDIS_URL'));
    const logger = createLogger({ level: 'silent' });
    transport = new RedisStreamsTransport({ redis, logger, streamKey: uniqueName('fc_simhttp'), groups: ['test'] });
    consumption = transport.consume({ group: 'test', maxBatch: 2000, maxWaitMs: 20 }, async (batch) => void received.push(...batch));
    const app = createApp({ config: loadConfig({ DATABASE_URL: t.url }), db: t.db, transport, logger, metricsRegistry: createMetricsRegistry('api') });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await consumption.stop();
    await redis.del(transport.streamKey);
    await transport.close();
    redis.disconnect();
    await t.drop();
  });

  it('has every simulated report accepted and published under the API key tenant', async () => {
    const key = (await createApiKey(t.db, { tenant: 'fleet', scopes: ['ingest'], name: 'simulator' })).key;
    const sim = await createSimulation({
      devices: 200, rate: 1000, seconds: 10, seed: 3, startMs: Date.parse('2026-03-02T06:00:00Z'), mix: parseMix('trucks=0.6,sorters=0.1,drones=0.1,flights=0.2'),
    });
    const sink = new HttpSink({ apiUrl: base, apiKey: key, maxPerRequest: 700 });
    const result = await runFleet(sim, sink, { realTime: false, batchSize: 1000 });
    sim.close();
    expect(result.sent).toBeGreaterThan(9000);
    expect(result.rejected).toBe(0);
    await waitFor('the published reports', async () => received.length >= result.sent, 30_000);
    expect(received).toHaveLength(result.sent);
    expect(new Set(received.map((m) => m.tenant))).toEqual(new Set(['fleet']));
    const ids = new Set(received.map((m) => { const r = JSON.parse(m.data.toString()) as { deviceId: string; id: string }; return `${r.deviceId}/${r.id}`; }));
    expect(ids.size).toBe(result.sent);
  });
});
