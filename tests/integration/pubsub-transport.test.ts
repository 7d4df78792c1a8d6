import { createLogger } from '../../core/logger';
import { PubSubTransport, PubSubTransportError, type PubSubTransportOptions } from '../../pipelines/pubsub-transport';
import type { IncomingMessage } from '../../pipelines/transport';
import { FakePubSubServer } from './support/pubsub-fake-server';
import { waitFor } from './support/spawn-flowcast';
import { uniqueName } from './support/test-env';

/**
 * The real @google-cloud/pubsub client against the in-test gRPC server: what reaches the handler,
 * when acks happen, redelivery after a failed batch, shutdown with a batch in flight, flow control.
 */
// jest 30 ignores the project-level testTimeout; each test here waits up to 20 s for the server.
jest.setTimeout(60_000);

describe('PubSubTransport (real client, in-test Pub/Sub server)', () => {
  const server = new FakePubSubServer();
  const project = 'flowcast-test';
  const transports: PubSubTransport[] = [];

  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await server.stop();
    // Every RPC the client made is one the server implements.
    expect(server.unimplemented).toEqual([]);
  });

  /** A transport on a topic and ingest subscription of its own. */
  function makeTransport(options: Partial<PubSubTransportOptions> = {}) {
    const topic = uniqueName('reports');
    const subscription = `${topic}-ingest`;
    const transport = new PubSubTransport({
      logger: createLogger({ level: 'silent' }),
      projectId: project,
      topic,
      subscriptions: { ingest: subscription },
      apiEndpoint: server.host,
      ...options,
    });
    transports.push(transport);
    const subStats = () => server.broker.subscriptionStats(`projects/${project}/subscriptions/${subscription}`);
    return { transport, subStats };
  }

  const deferred = () => {
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    return { promise, release };
  };

  it('delivers the bytes as published with the tenant, publish time and message id', async () => {
    const { transport } = makeTransport();
    const binary = Buffer.from([0xff, 0x00, 0x7b, 0xfe]);
    const before = Date.now();
    await transport.publish([
      { tenant: 'acme', data: '{"id":"r1"}', orderingKey: 'dev-1' },
      { tenant: 'globex', data: binary, orderingKey: 'dev-2' },
      { tenant: 'acme', data: '{"id":"r2"}' },
    ]);
    const got: IncomingMessage[] = [];
    const consumption = transport.consume({ group: 'ingest', maxBatch: 10, maxWaitMs: 50 }, async (batch) => {
      got.push(...batch);
    });
    await waitFor('three messages', async () => got.length === 3, 10_000);
    await consumption.stop();
    await expect(consumption.done).resolves.toBeUndefined();

    const byData = new Map(got.map((m) => [m.data.toString('hex'), m]));
    expect(byData.get(Buffer.from('{"id":"r1"}').toString('hex'))?.tenant).toBe('acme');
    expect(byData.get(binary.toString('hex'))?.tenant).toBe('globex');
    for (const m of got) {
      expect(m.id).toMatch(/^\d+$/);
      expect(m.publishedAt).toBeGreaterThanOrEqual(before);
      expect(m.publishedAt).toBeLessThanOrEqual(Date.now());
      expect(m.redeliveries).toBe(0);
    }
    expect(new Set(got.map((m) => m.id)).size).toBe(3);
  });

  it('takes the tenant from the subscription when defaultTenant is set', async () => {
    const { transport } = makeTransport({ defaultTenant: 'fixed' });
    await transport.publish([{ tenant: 'ignored', data: 'x' }]);
    const got: IncomingMessage[] = [];
    const consumption = transport.consume({ group: 'ingest', maxBatch: 10, maxWaitMs: 20 }, async (b) => void got.push(...b));
    await waitFor('the message', async () => got.length === 1, 10_000);
    await consumption.stop();
    expect(got[0]?.tenant).toBe('fixed');
  });

  it('acks a batch only after the handler resolves', async () => {
    const { transport, subStats } = makeTransport();
    await transport.publish(Array.from({ length: 5 }, (_, i) => ({ tenant: 't', data: `m${i}` })));
    const gate = deferred();
    let handed = 0;
    const consumption = transport.consume({ group: 'ingest', maxBatch: 5, maxWaitMs: 1000 }, async (batch) => {
      handed += batch.length;
      await gate.promise;
    });
    await waitFor('the batch to reach the handler', async () => handed === 5, 10_000);
    // Longer than the client's ack batching (100 ms): nothing may be acked while the handler runs.
    await new Promise((r) => setTimeout(r, 300));
    expect(subStats()).toMatchObject({ unacked: 5, leased: 5 });
    gate.release();
    await waitFor('the acks to reach the server', async () => subStats().unacked === 0, 10_000);
    expect(subStats().leased).toBe(0);
    await consumption.stop();
  });

  it('nacks a batch whose handler throws, so it is delivered again after a growing pause', async () => {
    const { transport, subStats } = makeTransport();
    await transport.publish(Array.from({ length: 4 }, (_, i) => ({ tenant: 't', data: `m${i}` })));
    const calls: { at: number; batch: IncomingMessage[] }[] = [];
    const consumption = transport.consume({ group: 'ingest', maxBatch: 4, maxWaitMs: 1000 }, async (batch) => {
      calls.push({ at: Date.now(), batch });
      if (calls.length <= 2) throw new Error('database away');
    });
    await waitFor('the batch to succeed on its third delivery', async () => calls.length >= 3 && subStats().unacked === 0, 10_000);
    await consumption.stop();
    expect(calls).toHaveLength(3);
    const ids = calls.map((c) => c.batch.map((m) => m.id).sort());
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    expect(calls[1]!.batch.every((m) => m.redeliveries === 1)).toBe(true);
    expect(calls[2]!.batch.every((m) => m.redeliveries === 2)).toBe(true);
    // 100 ms after the first failure, 200 ms after the second: no hot loop while the database is away.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(90);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(190);
  });

  it('stop() lets the batch in flight finish and acks it, and releases what was buffered', async () => {
    const { transport, subStats } = makeTransport();
    await transport.publish(Array.from({ length: 30 }, (_, i) => ({ tenant: 't', data: `m${i}` })));
    const gate = deferred();
    const batches: number[] = [];
    const consumption = transport.consume({ group: 'ingest', maxBatch: 10, maxWaitMs: 20 }, async (batch) => {
      batches.push(batch.length);
      await gate.promise;
    });
    // The first batch is in the handler; the other 20 arrive and wait in the buffer.
    await waitFor('one batch in flight and the rest buffered', async () => batches.length === 1 && subStats().leased === 30, 10_000);
    let stopped = false;
    const stopping = consumption.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false);
    // The buffered 20 are released at once (nack) while the batch in flight is still leased.
    expect(subStats()).toMatchObject({ unacked: 30, leased: 10 });
    gate.release();
    await stopping;
    await expect(consumption.done).resolves.toBeUndefined();
    expect(batches).toEqual([10]);
    expect(subStats()).toMatchObject({ unacked: 20, leased: 0, streams: 0 });

    // A later consumer gets exactly the 20 that were never handled.
    const rest: IncomingMessage[] = [];
    const again = transport.consume({ group: 'ingest', maxBatch: 100, maxWaitMs: 20 }, async (b) => void rest.push(...b));
    await waitFor('the remaining 20', async () => subStats().unacked === 0, 10_000);
    await again.stop();
    expect(rest).toHaveLength(20);
  });

  it('never holds more than maxMessages and never runs two batches at once', async () => {
    const maxMessages = 10;
    const { transport, subStats } = makeTransport({ maxMessages });
    await transport.publish(Array.from({ length: 100 }, (_, i) => ({ tenant: 't', data: `m${i}` })));
    const sizes: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const seen = new Set<string>();
    const consumption = transport.consume({ group: 'ingest', maxBatch: 50, maxWaitMs: 20 }, async (batch) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      sizes.push(batch.length);
      for (const m of batch) seen.add(m.id);
      await new Promise((r) => setTimeout(r, 10));
      running--;
    });
    await waitFor('all 100 handled and acked', async () => seen.size === 100 && subStats().unacked === 0, 20_000);
    await consumption.stop();

    expect(maxRunning).toBe(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(maxMessages);
    expect(subStats().peakLeased).toBeLessThanOrEqual(maxMessages);
    const opened = server.broker.streamsOpened.filter((s) => s.subscription.endsWith(`${transport.subscriptionFor('ingest')}`));
    expect(opened.length).toBeGreaterThan(0);
    for (const s of opened) expect(s.maxOutstandingMessages).toBe(maxMessages);
  });

  it('hands over a partial batch once maxWaitMs has passed since its first message', async () => {
    const { transport } = makeTransport();
    const handedAt: number[] = [];
    const sizes: number[] = [];
    const consumption = transport.consume({ group: 'ingest', maxBatch: 1000, maxWaitMs: 300 }, async (batch) => {
      handedAt.push(Date.now());
      sizes.push(batch.length);
    });
    // Give the stream time to open so the timing below is about batching, not connecting.
    await new Promise((r) => setTimeout(r, 300));
    const publishedAt = Date.now();
    await transport.publish(Array.from({ length: 3 }, (_, i) => ({ tenant: 't', data: `m${i}` })));
    await waitFor('the partial batch', async () => sizes.length === 1, 10_000);
    await consumption.stop();
    expect(sizes).toEqual([3]);
    expect(handedAt[0]! - publishedAt).toBeGreaterThanOrEqual(250);
  });
  it('keeps consuming after the server drops its streams (the client reconnects)', async () => {
    const { transport, subStats } = makeTransport();
    const seen = new Set<string>();
    const consumption = transport.consume({ group: 'ingest', maxBatch: 10, maxWaitMs: 20 }, async (b) => {
      for (const m of b) seen.add(m.data.toString());
    });
    await transport.publish([{ tenant: 't', data: 'before' }]);
    await waitFor('the first message', async () => seen.has('before'), 10_000);
    const streamsBefore = server.calls.get('StreamingPull') ?? 0;
    server.dropStreams();
    await transport.publish([{ tenant: 't', data: 'after' }]);
    await waitFor('the message published after the drop', async () => seen.has('after') && subStats().unacked === 0, 20_000);
    expect(server.calls.get('StreamingPull')).toBeGreaterThan(streamsBefore);
    await consumption.stop();
  });

  it('fails consumption with a typed error when the subscription does not exist', async () => {
    const { transport } = makeTransport({ createMissing: false });
    const consumption = transport.consume({ group: 'ingest', maxBatch: 10, maxWaitMs: 20 }, async () => undefined);
    await expect(consumption.done).rejects.toThrow(PubSubTransportError);
    await expect(consumption.done).rejects.toThrow(/Subscription does not exist/);
    await consumption.stop();
  });

  it('rejects a publish to a missing topic with a typed error naming it', async () => {
    const { transport } = makeTransport({ createMissing: false });
    const attempt = transport.publish([{ tenant: 't', data: 'x', orderingKey: 'dev-1' }]);
    await expect(attempt).rejects.toThrow(PubSubTransportError);
    await expect(attempt).rejects.toThrow(/topic reports_.* failed for 1 of 1 messages/);
  });
});
