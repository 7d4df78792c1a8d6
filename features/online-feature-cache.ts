import type { Knex } from 'knex';
import type { FeatureCatalog } from './catalog';
import { defaultCatalog } from './definitions';
import type { EntityRef, EntityType } from './entity';
import type { FeatureVector } from './feature-vector';
import { isClockDependent } from './evaluate-feature';
import { getOnlineFeatures } from './online-features';
import { tileStartOf } from './tile';

export interface OnlineFeatureCacheOptions {
  db: Knex;
  /**
   * Longest a vector is reused after it was read (ms, by the `now` clock); 0 reads every time.
   * Never for a read time in other tiles than the ones it was read in (below).
   */
  maxAgeMs: number;
  /**
   * Past this age a vector is still used, and read again in the background, so a steady stream
   * of reads seldom waits for one. Default: never (a vector is read again once it expired).
   */
  refreshAfterMs?: number;
  /**
   * Within this long before the next tile boundary (ms of read time), a vector in use is also read
   * in the background as of that boundary, so the first batches after it find it held instead of
   * all waiting for one large read. Such a vector lacks what reaches the closing tile after it was
   * read, as a held vector lacks late events: it is read again after refreshAfterMs and dropped
   * after maxAgeMs. Default 0: never read ahead.
   */
  readAheadMs?: number;
  catalog?: FeatureCatalog;
  /** Most vectors kept; the least recently stored go first. Default 100,000. */
  maxEntries?: number;
  now?: () => number;
  /** The read itself (default getOnlineFeatures on `db`); tests replace it. */
  read?: (tenant: string, entities: EntityRef[], at: number) => Promise<FeatureVector[]>;
}

interface Entry {
  vector: FeatureVector;
  /** Start of the stretch of read times in which every feature reads the same tiles (spanOf). */
  from: number;
  readAt: number;
}

/**
 * Online feature vectors of tenants' entities, read in one query for everything a call needs
 * that is not held, and kept for a short while: the one cache of the scoring consumer and the
 * prediction API.
 *
 * Why this is truthful: an online value at time `at` aggregates whole tiles before the tile that
 * holds `at` (features/evaluate-feature.ts), so for any `at` in the same tiles (of every tile
 * width the entity's features read) a new read returns the same values, asOf and lastEventAt —
 * except for events that land in an already closed tile after the read (ingest delay, late
 * events within the allowed lateness, buffered uploads). A vector is therefore reused only for a
 * read time in the tiles it was read in, and for at most `maxAgeMs`: such late events reach
 * answers that much later, never lost. Entity types with a clock-dependent feature (seconds
 * since the last report: devices) are never held. Concurrent misses of one entity in the same
 * tiles share one read; a read of older tiles (a late report) never replaces a newer vector.
 */
export class OnlineFeatureCache {
  private readonly entries = new Map<string, Entry>();
  /** Vectors read ahead for the next span, moved to `entries` when a read time reaches it. */
  private readonly ahead = new Map<string, Entry>();
  /** Per key, the boundary it was last asked to be read ahead to, so it is read ahead once per boundary. */
  private readonly askedAhead = new Map<string, number>();
  /** Keys a background refresh is reading now: not asked for again meanwhile. */
  private readonly refreshingKeys = new Set<string>();
  private readonly inflight = new Map<string, Promise<FeatureVector>>();
  private readonly widths = new Map<EntityType, number[] | null>();
  private readonly catalog: FeatureCatalog;
  private readonly maxAgeMs: number;
  private readonly refreshAfterMs: number;
  private readonly readAheadMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly read: (tenant: string, entities: EntityRef[], at: number) => Promise<FeatureVector[]>;
  /** Due for a background read, by tenant and read time (`tenant\0at`): entity key → entity. */
  private readonly due = new Map<string, { tenant: string; at: number; ahead: boolean; entities: Map<string, EntityRef> }>();
  private refreshing: Promise<void> | undefined;

  constructor(o: OnlineFeatureCacheOptions) {
    this.catalog = o.catalog ?? defaultCatalog;
    this.maxAgeMs = o.maxAgeMs;
    this.refreshAfterMs = o.refreshAfterMs ?? Number.POSITIVE_INFINITY;
    this.readAheadMs = o.readAheadMs ?? 0;
    this.maxEntries = o.maxEntries ?? 100_000;
    this.now = o.now ?? Date.now;
    this.read = o.read ?? ((tenant, entities, at) => getOnlineFeatures(o.db, { tenant, entities, at, catalog: this.catalog }));
  }

  /** The vectors of `entities` as of `at` (as getOnlineFeatures gives them, at most maxAgeMs old), keyed `type:id`. */
  async get(tenant: string, entities: readonly EntityRef[], at: number): Promise<Map<string, FeatureVector>> {
    const out = new Map<string, FeatureVector>();
    const now = this.now();
    const waits: Promise<void>[] = [];
    const misses: EntityRef[] = [];
    /** Per miss: its in-flight key, undefined when it is never held. */
    const flights: (string | undefined)[] = [];
    for (const e of entities) {
      const id = `${e.type}:${e.id}`;
      if (out.has(id)) continue;
      const span = this.maxAgeMs > 0 ? this.spanOf(e.type, at) : undefined;
      const key = `${tenant}\u0000${id}`;
      if (span !== undefined) {
        if (this.readAheadMs > 0) this.maybeReadAhead(tenant, key, e, at);
        const hit = this.held(key, span, now);
        if (hit) {
          out.set(id, hit.vector);
          if (now - hit.readAt >= this.refreshAfterMs && !this.refreshingKeys.has(key)) this.refreshLater(tenant, key, e, at, false);
          continue;
        }
        // A read in flight for the same tiles answers this one too.
        const pending = this.inflight.get(`${key}@${span}`);
        if (pending) {
          out.set(id, undefined as unknown as FeatureVector);
          waits.push(pending.then((v) => void out.set(id, v)));
          continue;
        }
      }
      out.set(id, undefined as unknown as FeatureVector);
      misses.push(e);
      flights.push(span === undefined ? undefined : `${key}@${span}`);
    }
    // Awaited last; guarded now, so a failure of our own read first leaves no rejection unhandled.
    const shares = Promise.all(waits);
    shares.catch(() => undefined);
    if (misses.length > 0) {
      const read = this.read(tenant, misses, at);
      flights.forEach((flight, i) => {
        if (flight === undefined) return;
        const one = read.then((vs) => vs[i] as FeatureVector);
        one.catch(() => undefined);
        this.inflight.set(flight, one);
      });
      try {
        const vectors = await read;
        vectors.forEach((v, i) => {
          out.set(`${v.entity.type}:${v.entity.id}`, v);
          if (flights[i] !== undefined) this.keep(tenant, v, at, now);
        });
      } finally {
        for (const flight of flights) if (flight !== undefined) this.inflight.delete(flight);
      }
    }
    await shares;
    return out;
  }

  /** Waits for background reads in progress (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.refreshing) await this.refreshing;
  }

  /** Vectors held now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** The vector held for the span, fresh enough: read for it, or read ahead for it (then held from now on). */
  private held(key: string, span: number, now: number): Entry | undefined {
    let hit = this.entries.get(key);
    if (!(hit && hit.from === span)) {
      const early = this.ahead.get(key);
      if (!(early && early.from === span)) return undefined;
      this.ahead.delete(key);
      this.entries.delete(key);
      this.entries.set(key, (hit = early));
    }
    return now - hit.readAt < this.maxAgeMs ? hit : undefined;
  }

  /** Near the end of the span holding `at`: read the entity as of the next span, once. */
  private maybeReadAhead(tenant: string, key: string, entity: EntityRef, at: number): void {
    const next = this.nextSpanStart(entity.type, at);
    if (next === undefined || next - at > this.readAheadMs) return;
    if (this.askedAhead.get(key) === next) return;
    this.askedAhead.delete(key);
    this.askedAhead.set(key, next);
    if (this.askedAhead.size > this.maxEntries) this.askedAhead.delete(this.askedAhead.keys().next().value as string);
    this.refreshLater(tenant, key, entity, next, true);
  }

  private keep(tenant: string, vector: FeatureVector, at: number, readAt: number, ahead = false): void {
    const from = this.spanOf(vector.entity.type, at);
    if (from === undefined) return;
    const key = `${tenant}\u0000${vector.entity.type}:${vector.entity.id}`;
    if (ahead) {
      this.ahead.set(key, { vector, from, readAt });
      if (this.ahead.size > this.maxEntries) this.ahead.delete(this.ahead.keys().next().value as string);
      return;
    }
    const had = this.entries.get(key);
    // A read of older tiles (a late report) never replaces a newer one.
    if (had && had.from > from) return;
    this.entries.delete(key);
    this.entries.set(key, { vector, from, readAt });
    if (this.entries.size > this.maxEntries) {
      for (const old of this.entries.keys()) {
        this.entries.delete(old);
        if (this.entries.size <= this.maxEntries) break;
      }
    }
  }

  /**
   * The start of the stretch of read times holding `at` within which every feature of the type
   * reads the same tiles: the latest of its tile starts (the stretch ends at the next boundary of
   * any width). Undefined: never held.
   */
  private spanOf(type: EntityType, at: number): number | undefined {
    const widths = this.tileWidths(type);
    if (!widths) return undefined;
    let from = Number.NEGATIVE_INFINITY;
    for (const w of widths) from = Math.max(from, tileStartOf(at, w));
    return from;
  }

  /** The first read time after `at` at which some feature of the type reads other tiles: the next boundary of any width. */
  private nextSpanStart(type: EntityType, at: number): number | undefined {
    const widths = this.tileWidths(type);
    if (!widths) return undefined;
    let next = Number.POSITIVE_INFINITY;
    for (const w of widths) next = Math.min(next, tileStartOf(at, w) + w);
    return next;
  }

  /** The tile widths an entity type's features read; null when one of them is clock-dependent (or there are none). */
  private tileWidths(type: EntityType): number[] | null {
    let widths = this.widths.get(type);
    if (widths === undefined) {
      const features = this.catalog.featuresOf(type);
      const series = features.flatMap((f) => [f.series, f.denominatorSeries]).filter((s): s is string => s !== undefined);
      const tileMs = series.map((s) => this.catalog.series.get(s)?.tileMs);
      widths = features.length === 0 || features.some((f) => isClockDependent(f.aggregation)) || tileMs.some((w) => w === undefined)
        ? null
        : [...new Set(tileMs as number[])];
      this.widths.set(type, widths);
    }
    return widths;
  }

  private refreshLater(tenant: string, key: string, entity: EntityRef, at: number, ahead: boolean): void {
    // Refreshes are read as of the newest instant asked for (the tiles of the latest reads); reads ahead as of their boundary.
    const slot = ahead ? `${tenant}\u0000${at}` : tenant;
    let pending = this.due.get(slot);
    if (!pending) this.due.set(slot, (pending = { tenant, at, ahead, entities: new Map() }));
    pending.entities.set(key, entity);
    if (!ahead) pending.at = Math.max(pending.at, at);
    if (!this.refreshing) this.refreshing = this.refreshDue().finally(() => (this.refreshing = undefined));
  }

  /** One read per tenant (and boundary read ahead to) for everything due, repeated while more became due meanwhile. */
  private async refreshDue(): Promise<void> {
    await Promise.resolve();
    while (this.due.size > 0) {
      const [slot, { tenant, at, ahead, entities }] = this.due.entries().next().value as [string, { tenant: string; at: number; ahead: boolean; entities: Map<string, EntityRef> }];
      this.due.delete(slot);
      const readAt = this.now();
      if (!ahead) for (const key of entities.keys()) this.refreshingKeys.add(key);
      try {
        const read = await this.read(tenant, [...entities.values()], at);
        for (const vector of read) this.keep(tenant, vector, at, readAt, ahead);
      } catch {
        // The next call reads them itself once they expire.
      } finally {
        if (!ahead) for (const key of entities.keys()) this.refreshingKeys.delete(key);
      }
    }
  }
}
