import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  FakeBroker,
  FakeStatusError,
  type Delivery,
  type PublishedMessage,
  type PullStream,
  type SubscriptionResource,
} from './pubsub-fake-broker';

/**
 * A Google Cloud Pub/Sub server for tests, speaking the real gRPC protocol from the `.proto` files
 * that ship inside `@google-cloud/pubsub`, so the real client runs against it unchanged
 * (PUBSUB_EMULATOR_HOST or `apiEndpoint`). Loopback only; state in memory (FakeBroker).
 * Calls it does not implement answer UNIMPLEMENTED and are listed in `unimplemented`.
 */

export interface FakePubSubServerOptions {
  /** How often expired ack deadlines are turned into redeliveries; default 100 ms. */
  expiryCheckMs?: number;
  /** Called for each RPC the server does not implement; default none (they are still recorded). */
  onUnimplemented?: (method: string) => void;
}

type UnaryHandler = (request: Record<string, unknown>) => unknown;

interface StreamingPullRequest {
  subscription: string;
  ackIds: string[];
  modifyDeadlineSeconds: number[];
  modifyDeadlineAckIds: string[];
  streamAckDeadlineSeconds: number;
  maxOutstandingMessages: number;
  maxOutstandingBytes: number;
}

export class FakePubSubServer {
  readonly broker = new FakeBroker();
  /** Every RPC received, by method name. */
  readonly calls = new Map<string, number>();
  /** Methods the client called that this server does not implement. */
  readonly unimplemented: string[] = [];
  private readonly server = new grpc.Server();
  private readonly streams = new Set<grpc.ServerDuplexStream<StreamingPullRequest, unknown>>();
  private expiryTimer: NodeJS.Timeout | undefined;
  private port = 0;

  constructor(private readonly options: FakePubSubServerOptions = {}) {
    const { Publisher, Subscriber } = loadServices();
    this.server.addService(Publisher.service, this.handlers(Publisher.service, this.publisherMethods()));
    this.server.addService(Subscriber.service, {
      ...this.handlers(Subscriber.service, this.subscriberMethods()),
      StreamingPull: (call: grpc.ServerDuplexStream<StreamingPullRequest, unknown>) => this.streamingPull(call),
    });
  }

  /** `127.0.0.1:PORT`, the value for PUBSUB_EMULATOR_HOST. */
  get host(): string {
    if (!this.port) throw new Error('FakePubSubServer is not started: call start() first');
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    this.expiryTimer = setInterval(() => this.broker.expireLeases(), this.options.expiryCheckMs ?? 100);
    this.expiryTimer.unref();
    return this.host;
  }

  async stop(): Promise<void> {
    clearInterval(this.expiryTimer);
    for (const call of this.streams) call.end();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  /** Kills every open StreamingPull with UNAVAILABLE, as a server restart would (the client reconnects). */
  dropStreams(): void {
    for (const call of this.streams) call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'stream dropped by test' });
  }

  private publisherMethods(): Record<string, UnaryHandler> {
    const b = this.broker;
    return {
      CreateTopic: (req) => b.createTopic(String(req.name)),
      GetTopic: (req) => b.getTopic(String(req.topic)),
      Publish: (req) => ({ messageIds: b.publish(String(req.topic), (req.messages as Record<string, unknown>[]).map(toPublished)) }),
    };
  }

  private subscriberMethods(): Record<string, UnaryHandler> {
    const b = this.broker;
    return {
      CreateSubscription: (req) => b.createSubscription(req as unknown as SubscriptionResource),
      GetSubscription: (req) => b.getSubscription(String(req.subscription)),
      Acknowledge: (req) => {
        b.acknowledge(req.ackIds as string[]);
        return {};
      },
      ModifyAckDeadline: (req) => {
        b.modifyAckDeadline(req.ackIds as string[], Number(req.ackDeadlineSeconds));
        return {};
      },
    };
  }

  /** Unary handlers for every method of the service; those not given answer UNIMPLEMENTED. */
  private handlers(service: grpc.ServiceDefinition, implemented: Record<string, UnaryHandler>): grpc.UntypedServiceImplementation {
    const out: grpc.UntypedServiceImplementation = {};
    for (const [method, def] of Object.entries(service)) {
      if (def.requestStream || def.responseStream) continue;
      const impl = implemented[method];
      out[method] = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.count(method);
        if (!impl) return callback(this.unimplementedError(method));
        try {
          callback(null, impl(call.request));
        } catch (err) {
          callback(toServiceError(err));
        }
      };
    }
    return out;
  }

  private unimplementedError(method: string): Partial<grpc.ServiceError> {
    this.unimplemented.push(method);
    this.options.onUnimplemented?.(method);
    return { code: grpc.status.UNIMPLEMENTED, details: `fake Pub/Sub server does not implement ${method}` };
  }

  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  /**
   * The first request opens the stream (subscription, deadline, flow control); every request may
   * carry acks, deadline changes and a new stream deadline. Messages flow back as they are ready.
   */
  private streamingPull(call: grpc.ServerDuplexStream<StreamingPullRequest, unknown>): void {
    this.count('StreamingPull');
    this.streams.add(call);
    let stream: PullStream | undefined;
    const close = () => {
      this.streams.delete(call);
      if (stream) this.broker.closeStream(stream);
    };
    call.on('data', (req: StreamingPullRequest) => {
      try {
        stream ??= this.openStream(call, req);
        this.applyStreamRequest(stream, req);
      } catch (err) {
        close();
        call.emit('error', toServiceError(err));
      }
    });
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('cancelled', close);
    call.on('error', close);
    call.on('drain', () => stream && this.broker.resume(stream));
  }

  private openStream(call: grpc.ServerDuplexStream<StreamingPullRequest, unknown>, req: StreamingPullRequest): PullStream {
    if (!req.subscription) {
      throw new FakeStatusError(grpc.status.INVALID_ARGUMENT, 'the first StreamingPullRequest must name the subscription');
    }
    const subscription = this.broker.getSubscription(req.subscription);
    return this.broker.openStream(
      {
        subscription: req.subscription,
        streamAckDeadlineSeconds: req.streamAckDeadlineSeconds || subscription.ackDeadlineSeconds,
        maxOutstandingMessages: Number(req.maxOutstandingMessages),
        maxOutstandingBytes: Number(req.maxOutstandingBytes),
      },
      (deliveries) => call.write({ receivedMessages: deliveries.map(toReceivedMessage) }),
    );
  }

  private applyStreamRequest(stream: PullStream, req: StreamingPullRequest): void {
    if (req.modifyDeadlineAckIds.length !== req.modifyDeadlineSeconds.length) {
      throw new FakeStatusError(grpc.status.INVALID_ARGUMENT, 'modify_deadline_ack_ids and modify_deadline_seconds differ in length');
    }
    if (req.streamAckDeadlineSeconds) this.broker.setStreamAckDeadline(stream, req.streamAckDeadlineSeconds);
    if (req.ackIds.length > 0) this.broker.acknowledge(req.ackIds);
    req.modifyDeadlineAckIds.forEach((ackId, i) => this.broker.modifyAckDeadline([ackId], req.modifyDeadlineSeconds[i] ?? 0));
  }
}

/** The Publisher and Subscriber service definitions from the protos inside @google-cloud/pubsub. */
export function loadServices(): { Publisher: grpc.ServiceClientConstructor; Subscriber: grpc.ServiceClientConstructor } {
  const pubsubDir = path.dirname(require.resolve('@google-cloud/pubsub/package.json'));
  // google/api and google/protobuf imports ship with google-gax, the client's own dependency.
  const gaxProtos = path.resolve(path.dirname(require.resolve('google-gax', { paths: [pubsubDir] })), '../protos');
  const definition = protoLoader.loadSync('google/pubsub/v1/pubsub.proto', {
    includeDirs: [path.join(pubsubDir, 'build/protos'), gaxProtos],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const v1 = (grpc.loadPackageDefinition(definition) as unknown as { google: { pubsub: { v1: Record<string, unknown> } } }).google
    .pubsub.v1;
  return {
    Publisher: v1.Publisher as grpc.ServiceClientConstructor,
    Subscriber: v1.Subscriber as grpc.ServiceClientConstructor,
  };
}

function toPublished(m: Record<string, unknown>): PublishedMessage {
  return {
    data: Buffer.from((m.data as Buffer | undefined) ?? Buffer.alloc(0)),
    attributes: { ...((m.attributes as Record<string, string> | undefined) ?? {}) },
    orderingKey: String(m.orderingKey ?? ''),
  };
}

function toReceivedMessage(d: Delivery): Record<string, unknown> {
  const m = d.message;
  return {
    ackId: d.ackId,
    deliveryAttempt: d.deliveryAttempt,
    message: {
      messageId: m.messageId,
      data: m.data,
      attributes: m.attributes,
      orderingKey: m.orderingKey,
      publishTime: m.publishTime,
    },
  };
}

function toServiceError(err: unknown): Partial<grpc.ServiceError> {
  if (err instanceof FakeStatusError) return { code: err.code, details: err.message };
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}
