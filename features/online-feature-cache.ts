import type { Knex } from 'knex';
import type { FeatureCatalog } from './catalog';
import { defaultCatalog } from './definitions';
import type { EntityRef, EntityType } from './entity';
import type { FeatureVector } from './feature-vector';
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

/** Aggregations whose value moves with the read time itself, not only at tile boundaries. */
const clockDependent = new Set(['seconds_since_last']);

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
  private readonly inflight = new Map<string, Promise<FeatureVector>>();
  private readonly widths = new Map<EntityType, number[] | null>();
  private readonly catalog: FeatureCatalog;
  private readonly maxAgeMs: number;
  private readonly refreshAfterMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly read: (tenant: string, entities: EntityRef[], at: number) => Promise<FeatureVector[]>;
  /** Due for a background read, by tenant: entity key → (entity, at). */
  private readonly due = new Map<string, Map<string, { entity: EntityRef; at: number }>>();
  private refreshing: Promise<void> | undefined;

  constructor(o: OnlineFeatureCacheOptions) {
    this.catalog = o.catalog ?? defaultCatalog;
    this.maxAgeMs = o.maxAgeMs;
    this.refreshAfterMs = o.refreshAfterMs ?? Number.POSITIVE_INFINITY;
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
        const hit = this.entries.get(key);
        if (hit && hit.from === span && now - hit.readAt < this.maxAgeMs) {
          out.set(id, hit.vector);
          if (now - hit.readAt >= this.refreshAfterMs) this.refreshLater(tenant, key, e, at);
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

  private keep(tenant: string, vector: FeatureVector, at: number, readAt: number): void {
    const from = this.spanOf(vector.entity.type, at);
    if (from === undefined) return;
    const key = `${tenant}\u0000${vector.entity.type}:${vector.entity.id}`;
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

  /** The tile widths an entity type's features read; null when one of them is clock-dependent (or there are none). */
  private tileWidths(type: EntityType): number[] | null {
    let widths = this.widths.get(type);
    if (widths === undefined) {
      const features = this.catalog.featuresOf(type);
      const series = features.flatMap((f) => [f.series, f.denominatorSeries]).filter((s): s is string => s !== undefined);
      const tileMs = series.map((s) => this.catalog.series.get(s)?.tileMs);
      widths = features.length === 0 || features.some((f) => clockDependent.has(f.aggregation)) || tileMs.some((w) => w === undefined)
        ? null
        : [...new Set(tileMs as number[])];
      this.widths.set(type, widths);
    }
    return widths;
  }

  private refreshLater(tenant: string, key: string, entity: EntityRef, at: number): void {
    let pending = this.due.get(tenant);
    if (!pending) this.due.set(tenant, (pending = new Map()));
    pending.set(key, { entity, at });
    if (!this.refreshing) this.refreshing = this.refreshDue().finally(() => (this.refreshing = undefined));
  }

  /** One read per tenant for everything due, repeated while more became due meanwhile. */
  private async refreshDue(): Promise<void> {
    await Promise.resolve();
    while (this.due.size > 0) {
      const [tenant, entities] = this.due.entries().next().value as [string, Map<string, { entity: EntityRef; at: number }>];
      this.due.delete(tenant);
      // Read as of the newest instant asked for: the tiles of the latest reads.
      let at = Number.NEGATIVE_INFINITY;
      for (const e of entities.values()) at = Math.max(at, e.at);
      const list = [...entities.values()].map((e) => e.entity);
      const readAt = this.now();
      try {
        const read = await this.read(tenant, list, at);
        for (const vector of read) this.keep(tenant, vector, at, readAt);
      } catch {
        // The next call reads them itself once they expire.
      }
    }
  }
}
