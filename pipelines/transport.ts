/**
 * How reports travel from publishers (HTTP ingest, `flowcast publish`, the simulator) to the
 * stream consumers. Two implementations: Redis Streams (local default) and Google Pub/Sub.
 */

export interface OutgoingMessage {
  /** Tenant the message belongs to; set by the publisher from the API key or the command line. */
  tenant: string;
  /** The raw report, exactly as received: consumers validate it, so bad input reaches dead letters. */
  data: Buffer | string;
  /** Keeps one device's messages in order where the transport supports it (Pub/Sub ordering keys). */
  orderingKey?: string;
}

export interface IncomingMessage {
  /** Transport-assigned id, stable across redeliveries (used to store a dead letter once). */
  id: string;
  /** Undefined when the message carries none and the subscription fixes none. */
  tenant: string | undefined;
  data: Buffer;
  /** Publish time in epoch ms, for end-to-end latency. */
  publishedAt?: number;
  /** How many times it was delivered before (0 on first delivery), where the transport knows. */
  redeliveries?: number;
}

export interface ConsumeOptions {
  /** Consumer group (Redis) or subscription (Pub/Sub): one per consumer role. */
  group: string;
  /** Most messages handed to the handler at once. */
  maxBatch: number;
  /** Longest wait for a batch to fill before handing over what there is. */
  maxWaitMs: number;
  /**
   * Redis Streams: most batches being handled at once, so reading and decoding overlap with
   * commits; default 2. Pub/Sub hands over one batch at a time.
   */
  batchesInFlight?: number;
}

/**
 * Handles one batch. Resolving means everything in it is durably committed: only then are the
 * messages acknowledged. Throwing leaves them unacknowledged so they are delivered again.
 */
export type BatchHandler = (batch: IncomingMessage[]) => Promise<void>;

export interface Consumption {
  /** Stops fetching, lets the batch in flight finish (or releases it), and resolves when idle. */
  stop(): Promise<void>;
  /** Settles when consumption ends: resolves after stop(), rejects on an unrecoverable error. */
  readonly done: Promise<void>;
}

export interface Transport {
  readonly name: 'redis' | 'pubsub';
  publish(messages: OutgoingMessage[]): Promise<void>;
  consume(options: ConsumeOptions, handler: BatchHandler): Consumption;
  close(): Promise<void>;
}
