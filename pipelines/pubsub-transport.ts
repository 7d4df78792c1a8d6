import { Duration, PubSub, type Message, type Subscription, type Topic } from '@google-cloud/pubsub';
import type { Logger } from 'pino';
import { FlowcastError } from '../core/errors';
import type { BatchHandler, ConsumeOptions, Consumption, IncomingMessage, OutgoingMessage, Transport } from './transport';

export interface PubSubTransportOptions {
  logger: Logger;
  /** Google Cloud project of the topic and subscriptions; default `flowcast-local`. */
  projectId?: string;
  /** Topic that carries reports; default `flowcast-reports`. */
  topic?: string;
  /** Subscription of each consumer group; a group not listed reads `<topic>-<group>`. Default none listed. */
  subscriptions?: Record<string, string>;
  /** Tenant of every consumed message, for a subscription dedicated to one tenant; default the `tenant` attribute. */
  defaultTenant?: string;
  /** Flow control: most unacknowledged messages one consume() holds (buffered + in flight); default 5000. */
  maxMessages?: number;
  /**
   * StreamingPull streams per consume(); default 1. The service applies flow control per stream,
   * so with n streams up to n × maxMessages may be leased; raise it only for throughput.
   */
  maxStreams?: number;
  /** host:port of an emulator or test server; default PUBSUB_EMULATOR_HOST (read by the client), else Google. */
  apiEndpoint?: string;
  /** Create the topic and the listed subscriptions if missing, before the first publish or consume; default true. */
  createMissing?: boolean;
  /** How long stop() lets the batch in flight finish before the client releases it; default 10 s. */
  shutdownTimeoutMs?: number;
}

/** Pub/Sub could not be set up or did not accept messages. */
export class PubSubTransportError extends FlowcastError {
  constructor(message: string, details?: unknown) {
    super('FC_PUBSUB', message, 503, details);
  }
}

const grpcAlreadyExists = 6;
/** Longest pause after failed batches; a nacked batch comes back at once, so without it a dead database means a hot loop. */
const maxFailureBackoffMs = 5_000;

export interface EnsureTopicOptions {
  topic: string;
  subscriptions: string[];
  /** Deliver messages with the same ordering key in order (needed for ordered delivery); default true. */
  messageOrdering?: boolean;
}

/** Creates the topic and each subscription unless they exist (ALREADY_EXISTS is success). */
export async function ensureTopicAndSubscription(pubsub: PubSub, options: EnsureTopicOptions): Promise<void> {
  await ignoreAlreadyExists(`topic ${options.topic}`, () => pubsub.createTopic(options.topic));
  for (const name of options.subscriptions) {
    await ignoreAlreadyExists(`subscription ${name}`, () =>
      pubsub.createSubscription(options.topic, name, { enableMessageOrdering: options.messageOrdering ?? true }),
    );
  }
}

async function ignoreAlreadyExists(what: string, create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if ((err as { code?: number }).code === grpcAlreadyExists) return;
    throw new PubSubTransportError(`cannot create Pub/Sub ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reports on Google Cloud Pub/Sub: ordered publishing by key, streaming pull with flow control,
 * batches handed over one at a time, ack after the handler commits, nack when it throws.
 */
export class PubSubTransport implements Transport {
  readonly name = 'pubsub' as const;
  private readonly pubsub: PubSub;
  private readonly topicName: string;
  private readonly consumptions = new Set<PubSubConsumption>();
  private topicHandle: Topic | undefined;
  private ensured: Promise<void> | undefined;

  constructor(private readonly options: PubSubTransportOptions) {
    this.topicName = options.topic ?? 'flowcast-reports';
    this.pubsub = new PubSub({ projectId: options.projectId ?? 'flowcast-local', apiEndpoint: options.apiEndpoint });
  }

  /** The subscription a consumer group reads. */
  subscriptionFor(group: string): string {
    return this.options.subscriptions?.[group] ?? `${this.topicName}-${group}`;
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.ensureResources();
    const topic = this.topic();
    const publishedAt = String(Date.now());
    const results = await Promise.allSettled(messages.map((m) => this.publishOne(topic, m, publishedAt)));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) {
      const first = failures[0]?.reason as Error;
      throw new PubSubTransportError(
        `publishing to Pub/Sub topic ${this.topicName} failed for ${failures.length} of ${messages.length} messages: ${first.message}`,
      );
    }
  }

  consume(options: ConsumeOptions, handler: BatchHandler): Consumption {
    const consumption = new PubSubConsumption(
      {
        subscription: () => this.openSubscription(options.group),
        logger: this.options.logger.child({ transport: 'pubsub', subscription: this.subscriptionFor(options.group) }),
        defaultTenant: this.options.defaultTenant,
      },
      options,
      handler,
    );
    this.consumptions.add(consumption);
    consumption.done.then(
      () => this.consumptions.delete(consumption),
      () => this.consumptions.delete(consumption),
    );
    return consumption;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.consumptions].map((c) => c.stop()));
    if (this.topicHandle) await this.topicHandle.flush();
    await this.pubsub.close();
  }

  private topic(): Topic {
    // Ordering keys keep one device's reports in order; batching keeps RPCs few.
    this.topicHandle ??= this.pubsub.topic(this.topicName, {
      messageOrdering: true,
      batching: { maxMessages: 1000, maxMilliseconds: 10 },
    });
    return this.topicHandle;
  }

  private async publishOne(topic: Topic, m: OutgoingMessage, publishedAt: string): Promise<void> {
    const data = typeof m.data === 'string' ? Buffer.from(m.data) : m.data;
    try {
      await topic.publishMessage({ data, attributes: { tenant: m.tenant, publishedAt }, orderingKey: m.orderingKey || undefined });
    } catch (err) {
      // A failed publish pauses its ordering key; resume it so later publishes are not refused forever.
      if (m.orderingKey) topic.resumePublishing(m.orderingKey);
      throw err;
    }
  }

  private async openSubscription(group: string): Promise<Subscription> {
    await this.ensureResources();
    return this.pubsub.subscription(this.subscriptionFor(group), {
      flowControl: { maxMessages: this.options.maxMessages ?? 5000, allowExcessMessages: false },
      streamingOptions: { maxStreams: this.options.maxStreams ?? 1 },
      // WAIT: close() lets the batch in flight be acked; NACK (the default) would release it mid-commit.
      closeOptions: {
        behavior: 'WAIT',
        timeout: Duration.from({ milliseconds: this.options.shutdownTimeoutMs ?? 10_000 }),
      },
    });
  }

  /** Once per transport (retried after a failure), when createMissing is on. */
  private ensureResources(): Promise<void> {
    if (this.options.createMissing === false) return Promise.resolve();
    this.ensured ??= ensureTopicAndSubscription(this.pubsub, {
      topic: this.topicName,
      subscriptions: [...new Set(Object.values(this.options.subscriptions ?? {}))],
    }).catch((err: unknown) => {
      this.ensured = undefined;
      throw err;
    });
    return this.ensured;
  }
}

interface ConsumptionContext {
  subscription: () => Promise<Subscription>;
  logger: Logger;
  defaultTenant: string | undefined;
}

/**
 * One consume(): collects streamed messages into batches (maxBatch, or maxWaitMs after the first
 * one), hands them to the handler one batch at a time, and acks or nacks each batch as a whole.
 */
class PubSubConsumption implements Consumption {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  private subscription: Subscription | undefined;
  private readonly started: Promise<void>;
  private buffer: Message[] = [];
  private due = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private failures = 0;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly ctx: ConsumptionContext,
    private readonly options: ConsumeOptions,
    private readonly handler: BatchHandler,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.started = this.start();
    this.started.catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    await this.stopped;
    this.resolveDone();
  }

  private async start(): Promise<void> {
    const subscription = await this.ctx.subscription();
    if (this.stopping) return;
    this.subscription = subscription;
    subscription.on('message', (m: Message) => this.onMessage(m));
    subscription.on('error', (err: Error) => void this.fail(err));
    subscription.on('debug', (msg: { message: string }) => this.ctx.logger.debug({ detail: msg.message }, 'pubsub client'));
    subscription.on('close', () => {
      if (!this.stopping) void this.fail(new PubSubTransportError(`Pub/Sub subscription ${subscription.name} closed unexpectedly`));
    });
    this.ctx.logger.info({ maxBatch: this.options.maxBatch, maxWaitMs: this.options.maxWaitMs }, 'consuming');
  }

  private onMessage(m: Message): void {
    if (this.stopping) {
      m.nack();
      return;
    }
    this.buffer.push(m);
    if (this.buffer.length >= this.options.maxBatch) this.markDue();
    else if (!this.timer && !this.due) this.armTimer(m.received);
  }

  /** The batch is due maxWaitMs after its first message arrived. */
  private armTimer(firstReceivedAt: number): void {
    const wait = Math.max(0, firstReceivedAt + this.options.maxWaitMs - Date.now());
    this.timer = setTimeout(() => this.markDue(), wait);
  }

  private markDue(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = true;
    this.dispatch();
  }

  /** Hands over the next batch unless one is in flight (never two handler calls at once). */
  private dispatch(): void {
    if (this.inFlight || !this.due || this.stopping || this.buffer.length === 0) return;
    const batch = this.buffer.splice(0, this.options.maxBatch);
    this.due = false;
    const next = this.buffer[0];
    if (this.buffer.length >= this.options.maxBatch) this.due = true;
    else if (next) this.armTimer(next.received);
    this.inFlight = this.handle(batch).finally(() => {
      this.inFlight = undefined;
      this.dispatch();
    });
  }

  private async handle(batch: Message[]): Promise<void> {
    try {
      await this.handler(batch.map((m) => toIncoming(m, this.ctx.defaultTenant)));
    } catch (err) {
      this.failures++;
      const pauseMs = Math.min(maxFailureBackoffMs, 100 * 2 ** (this.failures - 1));
      this.ctx.logger.error({ err, count: batch.length, pauseMs }, 'batch handler failed; nacking the batch for redelivery');
      for (const m of batch) m.nack();
      await this.pause(pauseMs);
      return;
    }
    this.failures = 0;
    for (const m of batch) m.ack();
  }

  /** Waits before the next batch after a failure; stop() cuts it short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Stops pulling, releases what was not handed over, lets the batch in flight finish and be acked. */
  private async shutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.wakeUp?.();
    await this.started.catch(() => undefined);
    for (const m of this.buffer.splice(0)) m.nack();
    // close() (WAIT) stops the stream at once and resolves once the in-flight batch's acks are sent.
    await Promise.all([this.inFlight, this.subscription?.close()]);
  }

  private async fail(err: unknown): Promise<void> {
    if (this.stopping) return;
    this.ctx.logger.error({ err }, 'Pub/Sub consumption failed');
    this.stopped ??= this.shutdown();
    await this.stopped.catch(() => undefined);
    this.rejectDone(err instanceof PubSubTransportError ? err : new PubSubTransportError(`Pub/Sub consumption failed: ${(err as Error).message}`, { cause: err }));
  }
}

function toIncoming(m: Message, defaultTenant: string | undefined): IncomingMessage {
  const publishedAt = Number(m.attributes.publishedAt);
  return {
    id: m.id,
    tenant: defaultTenant ?? (m.attributes.tenant || undefined),
    data: m.data,
    publishedAt: Number.isFinite(publishedAt) ? publishedAt : m.publishTime.getTime(),
    // deliveryAttempt is set only where the subscription has a dead-letter policy (1 = first delivery).
    redeliveries: m.deliveryAttempt > 0 ? m.deliveryAttempt - 1 : undefined,
  };
}
