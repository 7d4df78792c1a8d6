import * as grpc from '@grpc/grpc-js';
import { FakePubSubServer, loadServices } from './support/pubsub-fake-server';
import { waitFor } from './support/spawn-flowcast';

/**
 * The in-test Pub/Sub server at the protocol level, for what the Node client never exercises
 * (it acks and modifies deadlines with unary calls only): acks and deadline changes sent inside
 * StreamingPull, per-stream flow control, ack deadline expiry, and the service's error codes.
 */
jest.setTimeout(30_000);

interface Received {
  ackId: string;
  deliveryAttempt: number;
  message: { messageId: string; data: Buffer; attributes: Record<string, string> };
}

type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

describe('FakePubSubServer (raw gRPC)', () => {
  const server = new FakePubSubServer({ expiryCheckMs: 20 });
  const topic = 'projects/p/topics/t';
  const subscription = 'projects/p/subscriptions/s';
  let publisher: Client;
  let subscriber: Client;

  const unary = (client: Client, method: string, request: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      client[method]!(request, (err: grpc.ServiceError | null, res: Record<string, unknown>) => (err ? reject(err) : resolve(res))),
    );

  beforeAll(async () => {
    await server.start();
    const { Publisher, Subscriber } = loadServices();
    publisher = new Publisher(server.host, grpc.credentials.createInsecure()) as Client;
    subscriber = new Subscriber(server.host, grpc.credentials.createInsecure()) as Client;
    await unary(publisher, 'CreateTopic', { name: topic });
    await unary(subscriber, 'CreateSubscription', { name: subscription, topic, ackDeadlineSeconds: 10 });
  });
  afterAll(async () => {
    publisher.close();
    subscriber.close();
    await server.stop();
  });

  /** Opens a StreamingPull and collects what it receives. */
  function openStream(first: object) {
    const call = subscriber.StreamingPull!() as grpc.ClientDuplexStream<object, { receivedMessages: Received[] }>;
    const received: Received[] = [];
    const status = new Promise<grpc.StatusObject | grpc.ServiceError>((resolve) => {
      call.on('data', (res) => received.push(...res.receivedMessages));
      call.on('error', resolve);
      call.on('status', resolve);
    });
    call.write(first);
    return { call, received, status };
  }

  const settle = () => new Promise((r) => setTimeout(r, 150));

  it('answers ALREADY_EXISTS and NOT_FOUND as the service does', async () => {
    await expect(unary(publisher, 'CreateTopic', { name: topic })).rejects.toMatchObject({ code: grpc.status.ALREADY_EXISTS });
    await expect(unary(subscriber, 'CreateSubscription', { name: 'projects/p/subscriptions/x', topic: 'projects/p/topics/none' })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    await expect(unary(subscriber, 'Pull', { subscription, maxMessages: 1 })).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    expect(server.unimplemented).toEqual(['Pull']);
  });

  it('applies flow control per stream and takes acks and deadline changes inside the stream', async () => {
    await unary(publisher, 'Publish', { topic, messages: [1, 2, 3].map((i) => ({ data: Buffer.from(`m${i}`), attributes: { i: String(i) } })) });
    const { call, received } = openStream({ subscription, streamAckDeadlineSeconds: 10, maxOutstandingMessages: 2 });
    await waitFor('two deliveries', async () => received.length === 2, 5_000);
    await settle();
    expect(received).toHaveLength(2);

    // An ack inside the stream frees a slot: the third message follows.
    call.write({ ackIds: [received[0]!.ackId] });
    await waitFor('the third delivery', async () => received.length === 3, 5_000);
    expect(received.map((r) => r.message.data.toString())).toEqual(['m1', 'm2', 'm3']);

    // Deadline 0 inside the stream is a nack: immediate redelivery with a new ack id.
    call.write({ modifyDeadlineAckIds: [received[1]!.ackId], modifyDeadlineSeconds: [0] });
    await waitFor('the redelivery of m2', async () => received.length === 4, 5_000);
    expect(received[3]).toMatchObject({ deliveryAttempt: 2, message: { data: Buffer.from('m2') } });
    expect(received[3]!.ackId).not.toBe(received[1]!.ackId);

    // A 1 s deadline that runs out brings m3 back.
    call.write({ modifyDeadlineAckIds: [received[2]!.ackId], modifyDeadlineSeconds: [1] });
    await settle();
    expect(received).toHaveLength(4);
    await waitFor('the redelivery of m3 after its deadline', async () => received.length === 5, 5_000);
    expect(received[4]).toMatchObject({ deliveryAttempt: 2, message: { data: Buffer.from('m3') } });

    // The expired ack id no longer counts; unary Acknowledge with the current ones finishes the job.
    await unary(subscriber, 'Acknowledge', { subscription, ackIds: [received[2]!.ackId, received[3]!.ackId, received[4]!.ackId] });
    expect(server.broker.subscriptionStats(subscription)).toMatchObject({ unacked: 0, leased: 0 });
    call.end();
  });

  it('aborts a stream whose deadline lists differ in length with INVALID_ARGUMENT', async () => {
    const { call, status } = openStream({ subscription, streamAckDeadlineSeconds: 10 });
    call.write({ modifyDeadlineAckIds: ['a', 'b'], modifyDeadlineSeconds: [10] });
    await expect(status).resolves.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it('ends a stream for a missing subscription with NOT_FOUND', async () => {
    const { status } = openStream({ subscription: 'projects/p/subscriptions/none', streamAckDeadlineSeconds: 10 });
    await expect(status).resolves.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});
