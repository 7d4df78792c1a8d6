import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * The in-memory state behind the test Pub/Sub server: topics, subscriptions, leases. It knows
 * nothing of gRPC (pubsub-fake-server.ts wires it to the wire protocol). Semantics follow the
 * service closely enough for the real client: at-least-once delivery, per-stream flow control,
 * ack deadlines that expire into redelivery, modify-ack-deadline 0 as an immediate nack.
 * Simplifications: no ordering guarantees beyond FIFO, no exactly-once, no retention limits,
 * and every delivery carries a delivery attempt (as if a dead-letter policy were set).
 */

/** An error the server answers with a gRPC status. */
export class FakeStatusError extends Error {
  constructor(
    readonly code: GrpcStatus,
    message: string,
  ) {
    super(message);
    this.name = 'FakeStatusError';
  }
}

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export interface PublishedMessage {
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey: string;
}

interface StoredMessage extends PublishedMessage {
  messageId: string;
  publishTime: Timestamp;
  deliveries: number;
}

export interface Delivery {
  ackId: string;
  message: StoredMessage;
  deliveryAttempt: number;
}

/** Where a stream's deliveries go; returns false when the stream wants no more until drained. */
export type DeliverySink = (deliveries: Delivery[]) => boolean;

export interface StreamSettings {
  subscription: string;
  streamAckDeadlineSeconds: number;
  maxOutstandingMessages: number;
  maxOutstandingBytes: number;
}

export interface PullStream {
  readonly id: number;
  readonly settings: StreamSettings;
  /** Ack ids delivered on this stream and neither acked, nacked nor expired. */
  readonly outstanding: Set<string>;
  outstandingBytes: number;
  /** Set while the transport below is full; cleared by resume(). */
  blocked: boolean;
  sink: DeliverySink;
  closed: boolean;
}

interface Lease {
  ackId: string;
  subscription: FakeSubscription;
  message: StoredMessage;
  stream: PullStream | undefined;
  deadline: number;
}

export interface SubscriptionResource {
  name: string;
  topic: string;
  ackDeadlineSeconds: number;
  [field: string]: unknown;
}

interface FakeSubscription {
  resource: SubscriptionResource;
  /** Every message not yet acknowledged, by message id. */
  unacked: Map<string, StoredMessage>;
  /** Message ids free to deliver, in delivery order. */
  ready: string[];
  /** Current lease of each leased message, by message id. */
  leasedBy: Map<string, Lease>;
  streams: Set<PullStream>;
  peakLeased: number;
}

export interface SubscriptionStats {
  /** Published to the subscription and not yet acknowledged (leased or waiting). */
  unacked: number;
  /** Out with a client right now. */
  leased: number;
  /** Most messages ever leased at once. */
  peakLeased: number;
  streams: number;
}

export interface BrokerStats {
  published: number;
  delivered: number;
  redelivered: number;
  acked: number;
  nacked: number;
  expired: number;
  /** Unacknowledged messages over every subscription. */
  unacked: number;
  leased: number;
}

const maxDeliveriesPerResponse = 500;

export class FakeBroker {
  private readonly topics = new Set<string>();
  private readonly subscriptions = new Map<string, FakeSubscription>();
  private readonly leases = new Map<string, Lease>();
  private readonly counters = { published: 0, delivered: 0, redelivered: 0, acked: 0, nacked: 0, expired: 0 };
  private nextMessageId = 1;
  private nextAckId = 1;
  private nextStreamId = 1;
  /** The opening settings of every stream, for asserting what the client asked for. */
  readonly streamsOpened: StreamSettings[] = [];

  createTopic(name: string): { name: string } {
    if (this.topics.has(name)) throw new FakeStatusError(GrpcStatus.ALREADY_EXISTS, `Topic already exists: ${name}`);
    this.topics.add(name);
    return { name };
  }

  getTopic(name: string): { name: string } {
    if (!this.topics.has(name)) throw new FakeStatusError(GrpcStatus.NOT_FOUND, `Topic not found: ${name}`);
    return { name };
  }

  createSubscription(resource: SubscriptionResource): SubscriptionResource {
    if (this.subscriptions.has(resource.name)) {
      throw new FakeStatusError(GrpcStatus.ALREADY_EXISTS, `Subscription already exists: ${resource.name}`);
    }
    this.getTopic(resource.topic);
    const stored = { ...resource, ackDeadlineSeconds: resource.ackDeadlineSeconds || 10 };
    this.subscriptions.set(resource.name, {
      resource: stored,
      unacked: new Map(),
      ready: [],
      leasedBy: new Map(),
      streams: new Set(),
      peakLeased: 0,
    });
    return stored;
  }

  getSubscription(name: string): SubscriptionResource {
    return this.subscription(name).resource;
  }

  /** Stores a copy of each message on every subscription of the topic; returns the message ids. */
  publish(topic: string, messages: PublishedMessage[]): string[] {
    this.getTopic(topic);
    if (messages.length === 0) throw new FakeStatusError(GrpcStatus.INVALID_ARGUMENT, 'Publish needs at least one message');
    const publishTime = toTimestamp(Date.now());
    const subs = [...this.subscriptions.values()].filter((s) => s.resource.topic === topic);
    const ids = messages.map((m) => {
      const messageId = String(this.nextMessageId++);
      for (const sub of subs) {
        sub.unacked.set(messageId, { ...m, messageId, publishTime, deliveries: 0 });
        sub.ready.push(messageId);
      }
      return messageId;
    });
    this.counters.published += messages.length;
    for (const sub of subs) this.pump(sub);
    return ids;
  }

  openStream(settings: StreamSettings, sink: DeliverySink): PullStream {
    const sub = this.subscription(settings.subscription);
    const stream: PullStream = {
      id: this.nextStreamId++,
      settings: { ...settings },
      outstanding: new Set(),
      outstandingBytes: 0,
      blocked: false,
      sink,
      closed: false,
    };
    sub.streams.add(stream);
    this.streamsOpened.push({ ...settings });
    this.pump(sub);
    return stream;
  }

  /** The client is gone: its leases stay until they expire, as with the real service. */
  closeStream(stream: PullStream): void {
    stream.closed = true;
    this.subscriptions.get(stream.settings.subscription)?.streams.delete(stream);
    for (const ackId of stream.outstanding) {
      const lease = this.leases.get(ackId);
      if (lease) lease.stream = undefined;
    }
    stream.outstanding.clear();
  }

  /** The stream's transport has room again. */
  resume(stream: PullStream): void {
    stream.blocked = false;
    const sub = this.subscriptions.get(stream.settings.subscription);
    if (sub) this.pump(sub);
  }

  setStreamAckDeadline(stream: PullStream, seconds: number): void {
    if (seconds > 0) stream.settings.streamAckDeadlineSeconds = seconds;
  }

  /** Unknown or expired ack ids are ignored, as the service does. */
  acknowledge(ackIds: string[]): void {
    for (const ackId of ackIds) {
      const lease = this.leases.get(ackId);
      if (!lease) continue;
      this.endLease(lease);
      lease.subscription.unacked.delete(lease.message.messageId);
      this.counters.acked++;
      this.pump(lease.subscription);
    }
  }

  /** A new deadline counted from now; 0 releases the message for immediate redelivery. */
  modifyAckDeadline(ackIds: string[], seconds: number): void {
    if (seconds < 0 || seconds > 600) {
      throw new FakeStatusError(GrpcStatus.INVALID_ARGUMENT, `ack deadline must be within 0..600 s, got ${seconds}`);
    }
    for (const ackId of ackIds) {
      const lease = this.leases.get(ackId);
      if (!lease) continue;
      if (seconds > 0) {
        lease.deadline = Date.now() + seconds * 1000;
        continue;
      }
      this.counters.nacked++;
      this.release(lease);
    }
  }

  /** Releases every lease whose deadline has passed; called on a timer by the server. */
  expireLeases(now = Date.now()): void {
    for (const lease of [...this.leases.values()]) {
      if (lease.deadline > now) continue;
      this.counters.expired++;
      this.release(lease);
    }
  }

  stats(): BrokerStats {
    let unacked = 0;
    for (const sub of this.subscriptions.values()) unacked += sub.unacked.size;
    return { ...this.counters, unacked, leased: this.leases.size };
  }

  subscriptionStats(name: string): SubscriptionStats {
    const sub = this.subscription(name);
    return { unacked: sub.unacked.size, leased: sub.leasedBy.size, peakLeased: sub.peakLeased, streams: sub.streams.size };
  }

  private subscription(name: string): FakeSubscription {
    const sub = this.subscriptions.get(name);
    if (!sub) throw new FakeStatusError(GrpcStatus.NOT_FOUND, `Subscription does not exist: ${name}`);
    return sub;
  }

  /** Puts a leased message back at the head of the queue and delivers again. */
  private release(lease: Lease): void {
    this.endLease(lease);
    lease.subscription.ready.unshift(lease.message.messageId);
    this.pump(lease.subscription);
  }

  private endLease(lease: Lease): void {
    this.leases.delete(lease.ackId);
    lease.subscription.leasedBy.delete(lease.message.messageId);
    if (lease.stream) {
      lease.stream.outstanding.delete(lease.ackId);
      lease.stream.outstandingBytes -= lease.message.data.length;
    }
  }

  /** Hands ready messages to every stream of the subscription that has room for them. */
  private pump(sub: FakeSubscription): void {
    for (const stream of sub.streams) {
      if (sub.ready.length === 0) return;
      this.fill(sub, stream);
    }
  }

  private fill(sub: FakeSubscription, stream: PullStream): void {
    while (!stream.closed && !stream.blocked && sub.ready.length > 0 && hasRoom(stream)) {
      const deliveries: Delivery[] = [];
      while (deliveries.length < maxDeliveriesPerResponse && sub.ready.length > 0 && hasRoom(stream)) {
        const delivery = this.lease(sub, stream, sub.ready.shift() as string);
        if (delivery) deliveries.push(delivery);
      }
      if (deliveries.length > 0 && !stream.sink(deliveries)) stream.blocked = true;
    }
  }

  private lease(sub: FakeSubscription, stream: PullStream, messageId: string): Delivery | undefined {
    const message = sub.unacked.get(messageId);
    // Acked while it waited for redelivery: nothing to send.
    if (!message || sub.leasedBy.has(messageId)) return undefined;
    const ackId = `${stream.settings.subscription.split('/').pop()}-${this.nextAckId++}`;
    const lease: Lease = {
      ackId,
      subscription: sub,
      message,
      stream,
      deadline: Date.now() + stream.settings.streamAckDeadlineSeconds * 1000,
    };
    this.leases.set(ackId, lease);
    sub.leasedBy.set(messageId, lease);
    sub.peakLeased = Math.max(sub.peakLeased, sub.leasedBy.size);
    stream.outstanding.add(ackId);
    stream.outstandingBytes += message.data.length;
    message.deliveries++;
    this.counters.delivered++;
    if (message.deliveries > 1) this.counters.redelivered++;
    return { ackId, message, deliveryAttempt: message.deliveries };
  }
}

/** Flow control as the service applies it: per stream, 0 meaning no limit. */
function hasRoom(stream: PullStream): boolean {
  const { maxOutstandingMessages, maxOutstandingBytes } = stream.settings;
  if (maxOutstandingMessages > 0 && stream.outstanding.size >= maxOutstandingMessages) return false;
  if (maxOutstandingBytes > 0 && stream.outstandingBytes >= maxOutstandingBytes) return false;
  return true;
}

export function toTimestamp(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
