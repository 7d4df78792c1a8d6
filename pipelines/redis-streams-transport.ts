import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BatchHandler, ConsumeOptions, Consumption, IncomingMessage, OutgoingMessage, Transport } from './transport';

export interface RedisStreamsTransportOptions {
  /** Connection used for publishing and housekeeping; blocking reads use duplicates of it. */
  redis: Redis;
  logger: Logger;
  /** Stream key; default `flowcast:reports`. */
  streamKey?: string;
  /** Name of this consumer inside its group; default `<host>-<pid>`. */
  consumerName?: string;
  /** A message pending this long on some consumer is taken over (XAUTOCLAIM); default 30 s. */
  reclaimIdleMs?: number;
  /** How often the stream is trimmed below what every group still needs; default 10 s. */
  trimIntervalMs?: number;
  /** Groups created (at the stream's start) before anything is read, so none misses a message; default none. */
  groups?: string[];
  /** Disconnect `redis` on close(); default false (the caller owns it). */
  ownsConnection?: boolean;
  /** Called with the group's lag (entries not yet delivered), at most once a second between read cycles. */
  onLag?: (lag: number) => void;
}

// Read as Buffers so a payload's bytes reach the dead-letter table exactly as published.
type StreamEntry = [id: Buffer, fields: Buffer[] | null];

const fieldTenant = 't';
const fieldData = 'd';
const fieldPublishedAt = 'p';

/** Reports on Redis Streams: consumer groups, ack after commit, reclaim of orphans, safe trimming. */
export class RedisStreamsTransport implements Transport {
  readonly name = 'redis' as const;
  readonly streamKey: string;
  private readonly consumerName: string;
  private readonly reclaimIdleMs: number;
  private readonly trimIntervalMs: number;
  private readonly consumers = new Set<Redis>();

  constructor(private readonly options: RedisStreamsTransportOptions) {
    this.streamKey = options.streamKey ?? 'flowcast:reports';
    this.consumerName = options.consumerName ?? `${hostname()}-${process.pid}`;
    this.reclaimIdleMs = options.reclaimIdleMs ?? 30_000;
    this.trimIntervalMs = options.trimIntervalMs ?? 10_000;
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const now = String(Date.now());
    const pipeline = this.options.redis.pipeline();
    for (const m of messages) {
      pipeline.xadd(this.streamKey, '*', fieldTenant, m.tenant, fieldData, m.data, fieldPublishedAt, now);
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw new Error(`publishing to Redis stream ${this.streamKey} failed: ${(failed[0] as Error).message}`);
  }

  consume(options: ConsumeOptions, handler: BatchHandler): Consumption {
    const reader = this.options.redis.duplicate();
    this.consumers.add(reader);
    const loop = new ConsumeLoop(this, reader, options, handler);
    const done = loop.run().finally(() => {
      reader.disconnect();
      this.consumers.delete(reader);
    });
    return {
      done,
      stop: async () => {
        loop.stopping = true;
        // A blocking XREADGROUP would hold the loop for up to maxWaitMs; that is short by design.
        await done;
      },
    };
  }

  async close(): Promise<void> {
    for (const c of this.consumers) c.disconnect();
    this.consumers.clear();
    if (this.options.ownsConnection) this.options.redis.disconnect();
  }

  /** Creates the group at the stream's start if it does not exist yet (and the stream with it). */
  async ensureGroup(redis: Redis, group: string): Promise<void> {
    try {
      await redis.xgroup('CREATE', this.streamKey, group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /** Reads new entries for the group, waiting at most blockMs for the first one. */
  async readNew(redis: Redis, group: string, count: number, blockMs: number): Promise<IncomingMessage[]> {
    const reply = (await redis.callBuffer(
      'XREADGROUP', 'GROUP', group, this.consumerName, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.streamKey, '>',
    )) as [Buffer, StreamEntry[]][] | null;
    return toMessages(reply?.[0]?.[1] ?? []);
  }

  /** Entries this very consumer name already holds (after a restart under the same name). */
  async readOwnPending(redis: Redis, group: string, count: number): Promise<IncomingMessage[]> {
    const reply = (await redis.callBuffer(
      'XREADGROUP', 'GROUP', group, this.consumerName, 'COUNT', count, 'STREAMS', this.streamKey, '0',
    )) as [Buffer, StreamEntry[]][] | null;
    return toMessages((reply?.[0]?.[1] ?? []).filter(([, fields]) => fields !== null));
  }

  /** Takes over entries left pending by a consumer that died; they count as redelivered. */
  async reclaim(redis: Redis, group: string, count: number): Promise<IncomingMessage[]> {
    const [, entries] = (await redis.callBuffer(
      'XAUTOCLAIM', this.streamKey, group, this.consumerName, this.reclaimIdleMs, '0', 'COUNT', count,
    )) as [Buffer, StreamEntry[], Buffer[]?];
    // Entries deleted from the stream while pending come back as nulls; XAUTOCLAIM has already dropped them.
    return toMessages(entries.filter((e) => e && e[1] !== null)).map((m) => ({ ...m, redeliveries: 1 }));
  }

  async ack(redis: Redis, group: string, ids: string[]): Promise<void> {
    if (ids.length > 0) await redis.xack(this.streamKey, group, ...ids);
  }

  /** Entries in the stream not yet delivered to the group (Redis 7 `lag`). */
  async lag(redis: Redis, group: string): Promise<number | undefined> {
    const groups = (await redis.xinfo('GROUPS', this.streamKey)) as unknown[][];
    for (const g of groups) {
      const info = fieldsToObject(g);
      if (info.name === group) return typeof info.lag === 'number' ? info.lag : undefined;
    }
    return undefined;
  }

  /**
   * Trims everything every group is done with: entries older than each group's oldest pending
   * entry and its last delivered one. Unread or unacknowledged entries are never removed.
   */
  async trim(redis: Redis): Promise<number> {
    const groups = ((await redis.xinfo('GROUPS', this.streamKey)) as unknown[][]).map(fieldsToObject);
    if (groups.length === 0) return 0;
    let minId: string | undefined;
    for (const g of groups) {
      const name = String(g.name);
      const pending = (await redis.xpending(this.streamKey, name)) as [number, string | null, string | null, unknown];
      const candidates = [String(g['last-delivered-id']), pending[0] > 0 && pending[1] ? pending[1] : undefined];
      for (const c of candidates) if (c && (minId === undefined || compareIds(c, minId) < 0)) minId = c;
    }
    if (!minId || minId === '0-0') return 0;
    return (await redis.xtrim(this.streamKey, 'MINID', minId)) as number;
  }

  get trimEveryMs(): number {
    return this.trimIntervalMs;
  }

  get reclaimEveryMs(): number {
    return Math.max(100, Math.floor(this.reclaimIdleMs / 2));
  }

  get groupsToCreate(): string[] {
    return this.options.groups ?? [];
  }

  get lagListener(): ((lag: number) => void) | undefined {
    return this.options.onLag;
  }

  get log(): Logger {
    return this.options.logger;
  }
}

/** One consumer's read–handle–ack cycle. */
class ConsumeLoop {
  stopping = false;
  private lastReclaim = 0;
  private lastTrim = Date.now();
  private lastLag = 0;

  constructor(
    private readonly transport: RedisStreamsTransport,
    private readonly redis: Redis,
    private readonly options: ConsumeOptions,
    private readonly handler: BatchHandler,
  ) {}

  async run(): Promise<void> {
    const { group, maxBatch } = this.options;
    for (const g of new Set([group, ...this.transport.groupsToCreate])) await this.transport.ensureGroup(this.redis, g);
    // What this consumer name already held before a restart goes first.
    for (;;) {
      const own = await this.transport.readOwnPending(this.redis, group, maxBatch);
      if (own.length === 0 || this.stopping) break;
      await this.handleUntilDone(own);
    }
    const inFlight = new Set<Promise<void>>();
    while (!this.stopping) {
      const batch = (await this.maybeReclaim()) ?? (await this.fillBatch());
      if (batch.length > 0) {
        const handling = this.handleUntilDone(batch).finally(() => inFlight.delete(handling));
        inFlight.add(handling);
        if (inFlight.size >= Math.max(1, this.options.batchesInFlight ?? 2)) await Promise.race(inFlight);
      }
      await this.housekeeping();
    }
    await Promise.all(inFlight);
  }

  private async maybeReclaim(): Promise<IncomingMessage[] | undefined> {
    if (Date.now() - this.lastReclaim < this.transport.reclaimEveryMs) return undefined;
    const claimed = await this.transport.reclaim(this.redis, this.options.group, this.options.maxBatch);
    // Keep draining orphans while there are any; otherwise wait for the next period.
    if (claimed.length < this.options.maxBatch) this.lastReclaim = Date.now();
    if (claimed.length > 0) this.transport.log.warn({ count: claimed.length }, 'reclaimed messages left pending by another consumer');
    return claimed.length > 0 ? claimed : undefined;
  }

  /** Reads until the batch is full or maxWaitMs has passed since the first message arrived. */
  private async fillBatch(): Promise<IncomingMessage[]> {
    const { group, maxBatch, maxWaitMs } = this.options;
    const batch = await this.transport.readNew(this.redis, group, maxBatch, maxWaitMs);
    if (batch.length === 0) return batch;
    const deadline = Date.now() + maxWaitMs;
    while (batch.length < maxBatch && !this.stopping) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const more = await this.transport.readNew(this.redis, group, maxBatch - batch.length, left);
      if (more.length === 0) break;
      batch.push(...more);
    }
    return batch;
  }

  /**
   * Hands the batch over until it succeeds, then acknowledges it. A failure (say the database
   * is away) is retried with backoff; the messages stay pending meanwhile, so none is lost.
   */
  private async handleUntilDone(batch: IncomingMessage[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.handler(batch);
        await this.transport.ack(this.redis, this.options.group, batch.map((m) => m.id));
        return;
      } catch (err) {
        if (this.stopping) {
          this.transport.log.warn({ err, count: batch.length }, 'batch failed while stopping; left pending for another consumer');
          return;
        }
        const waitMs = Math.min(5_000, 100 * 2 ** attempt);
        this.transport.log.error({ err, attempt, waitMs, count: batch.length }, 'batch failed; retrying');
        await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  }

  private async housekeeping(): Promise<void> {
    const onLag = this.transport.lagListener;
    // Once a second, not after every batch: it is a round trip between reading one batch and the next.
    if (onLag && Date.now() - this.lastLag >= 1000) {
      this.lastLag = Date.now();
      const lag = await this.transport.lag(this.redis, this.options.group);
      if (lag !== undefined) onLag(lag);
    }
    if (Date.now() - this.lastTrim >= this.transport.trimEveryMs) {
      this.lastTrim = Date.now();
      const removed = await this.transport.trim(this.redis);
      if (removed > 0) this.transport.log.debug({ removed }, 'trimmed stream');
    }
  }
}

function toMessages(entries: StreamEntry[]): IncomingMessage[] {
  return entries.map(([id, fields]) => {
    const f = new Map<string, Buffer>();
    for (let i = 0; fields && i + 1 < fields.length; i += 2) f.set(fields[i]!.toString(), fields[i + 1]!);
    const publishedAt = Number(f.get(fieldPublishedAt)?.toString());
    return {
      id: id.toString(),
      tenant: f.get(fieldTenant)?.toString() || undefined,
      data: f.get(fieldData) ?? Buffer.alloc(0),
      publishedAt: Number.isFinite(publishedAt) ? publishedAt : undefined,
    };
  });
}

function fieldsToObject(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** Orders stream ids `ms-seq` numerically. */
export function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}
