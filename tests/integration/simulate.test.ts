import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createLogger } from '../../core/logger';
import { reportSchema, type Report } from '../../core/report';
import { parseMix } from '../../pipelines/simulator/fleet-mix';
import { createSimulation, type GroundTruth } from '../../pipelines/simulator/simulation';
import { RedisStreamsTransport } from '../../pipelines/redis-streams-transport';
import type { IncomingMessage } from '../../pipelines/transport';
import { runFlowcast, waitFor } from './support/spawn-flowcast';
import { requireEnv, uniqueName } from './support/test-env';

/** `flowcast simulate` as a process publishing through Redis Streams, read back by a consumer group. */
describe('flowcast simulate through Redis Streams', () => {
  let redis: Redis;
  const streamKey = uniqueName('fc_simulate');
  const start = '2026-03-02T06:00:00.000Z';
  const args = ['--devices', '400', '--rate', '2000', '--seconds', '15', '--seed', '11', '--start', start, '--fault-rate', '0.1'];

  beforeAll(() => {
    redis = new Redis(requireEnv('REDIS_URL'));
  });
  afterAll(async () => {
    await redis.del(streamKey);
    redis.disconnect();
  });

  it('publishes every report of the run, exactly those an in-process run of the same seed makes, and writes the truth', async () => {
    const truthFile = path.join(mkdtempSync(path.join(tmpdir(), 'fc-sim-')), 'truth.json');
    const run = await runFlowcast(['simulate', ...args, '--fast', '--via', 'transport', '--tenant', 'simtest', '--truth', truthFile], {
      TRANSPORT: 'redis', STREAM_KEY: streamKey, STREAM_GROUPS: 'check', LOG_LEVEL: 'warn',
    });
    expect(run.stderr).toMatch(/simulate: 300 trucks and containers, 50 sorters, 50 drones/);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { reports: number; via: string; byKind: Record<string, number> };
    expect(summary.via).toBe('redis');
    expect(summary.reports).toBeGreaterThan(25_000);

    const transport = new RedisStreamsTransport({ redis, logger: createLogger({ level: 'silent' }), streamKey });
    const got: IncomingMessage[] = [];
    const consumption = transport.consume({ group: 'check', maxBatch: 5000, maxWaitMs: 20 }, async (batch) => void got.push(...batch));
    await waitFor('every published report', async () => got.length >= summary.reports, 60_000);
    await consumption.stop();
    expect(got).toHaveLength(summary.reports);
    expect(new Set(got.map((m) => m.tenant))).toEqual(new Set(['simtest']));

    const received = got.map((m) => reportSchema.parse(JSON.parse(m.data.toString())) as Report);
    const expected: Report[] = [];
    const sim = await createSimulation({ devices: 400, rate: 2000, seconds: 15, seed: 11, startMs: Date.parse(start), faultRate: 0.1, mix: parseMix('trucks=0.6,sorters=0.1,drones=0.1,flights=0.2') });
    while (!sim.stream.done) expected.push(...(await sim.stream.take(5000)).map((t) => t.report));
    sim.close();
    // One publishing connection keeps the stream in the order generated.
    expect(received).toEqual(expected);
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as GroundTruth;
    expect(truth).toEqual(JSON.parse(JSON.stringify(sim.groundTruth())));
    expect(truth.conditions.length).toBeGreaterThan(0);
  });
});
