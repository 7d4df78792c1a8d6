import type { Knex } from 'knex';
import type { FeatureCatalog } from '../../features/catalog';
import { defaultCatalog } from '../../features/definitions';
import type { EntityRef, EntityType } from '../../features/entity';
import type { FeatureVector } from '../../features/feature-vector';
import { getOnlineFeatures } from '../../features/online-features';
import { tileStartOf } from '../../features/tile';

export interface OnlineFeatureCacheOptions {
  /** Longest a vector is reused before it is read again (default 2,000 ms). */
  maxAgeMs?: number;
  /** Past this age a vector is still used, and read again in the background (default half of maxAgeMs). */
  refreshAfterMs?: number;
  catalog?: FeatureCatalog;
  now?: () => number;
  /** Vectors kept at most (default 100,000); the oldest go first when there are more. */
  maxEntries?: number;
  /** The read itself (default getOnlineFeatures). */
  read?: (db: Knex, tenant: string, entities: EntityRef[], at: number) => Promise<FeatureVector[]>;
}

interface Entry {
  /** The tile starts (one per tile width of the entity type) the vector was read in. */
  bucket: string;
  readAt: number;
  vector: FeatureVector;
}

/**
 * Online feature vectors kept between the scoring consumer's batches. A hub, lane or network
 * feature's value at `at` depends on `at` only through the start of the tile holding it (whole
 * tiles before it count: features/evaluate-feature.ts), so for any `at` in the same tiles a new
 * read gives the same values — except for events that reach a tile after it closed (reports
 * arriving late around a tile boundary, buffered uploads). A vector is reused for reads in the
 * same tiles for at most `maxAgeMs`: such late events are seen that much later, not lost. Past
 * `refreshAfterMs` it is read again in the background while still in use, so at a steady rate the
 * batches seldom wait for a read; they do at a tile boundary and for entities not seen yet.
 * Entity types with a feature that depends on `at` itself (seconds since the last event) are read
 * every time, as without the cache.
 */
export class OnlineFeatureCache {
  private readonly entries = new Map<string, Entry>();
  private readonly widths = new Map<EntityType, number[] | null>();
  private readonly maxAgeMs: number;
  private readonly refreshAfterMs: number;
  private readonly catalog: FeatureCatalog;
  private readonly now: () => number;
  private readonly maxEntries: number;
  private readonly read: NonNullable<OnlineFeatureCacheOptions['read']>;
  /** Due for a background read, by tenant: entity key → (entity, at). */
  private readonly due = new Map<string, { db: Knex; entities: Map<string, { entity: EntityRef; at: number }> }>();
  private refreshing: Promise<void> | undefined;

  constructor(options: OnlineFeatureCacheOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 2000;
    this.refreshAfterMs = options.refreshAfterMs ?? this.maxAgeMs / 2;
    this.catalog = options.catalog ?? defaultCatalog;
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.read = options.read ?? ((db, tenant, entities, at) => getOnlineFeatures(db, { tenant, entities, at, catalog: this.catalog }));
  }

  /** The features of `entities` as of `at`, as getOnlineFeatures gives them (at most maxAgeMs old). */
  async get(db: Knex, tenant: string, entities: EntityRef[], at: number): Promise<FeatureVector[]> {
    const now = this.now();
    const out: (FeatureVector | undefined)[] = new Array(entities.length);
    const missing: number[] = [];
    entities.forEach((entity, i) => {
      const bucket = this.bucketOf(entity.type, at);
      const key = entryKey(tenant, entity);
      const entry = bucket === undefined ? undefined : this.entries.get(key);
      if (!entry || entry.bucket !== bucket || now - entry.readAt >= this.maxAgeMs) {
        missing.push(i);
        return;
      }
      out[i] = entry.vector;
      if (now - entry.readAt >= this.refreshAfterMs) this.refreshLater(db, tenant, key, entity, at);
    });
    if (missing.length > 0) {
      const read = await this.read(db, tenant, missing.map((i) => entities[i] as EntityRef), at);
      missing.forEach((i, k) => {
        const vector = read[k] as FeatureVector;
        out[i] = vector;
        this.keep(tenant, vector, at, now);
      });
    }
    return out as FeatureVector[];
  }

  /** Waits for a background read in progress (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.refreshing) await this.refreshing;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The tile starts that decide the entity's features at `at`; undefined when they depend on `at` itself. */
  private bucketOf(type: EntityType, at: number): string | undefined {
    let widths = this.widths.get(type);
    if (widths === undefined) {
      const features = this.catalog.featuresOf(type);
      widths = features.some((f) => f.aggregation === 'seconds_since_last')
        ? null
        : [...new Set(features.flatMap((f) => [f.series, f.denominatorSeries].filter((s): s is string => s !== undefined)).map((s) => this.catalog.series.get(s)?.tileMs ?? 0))].sort((a, b) => a - b);
      this.widths.set(type, widths);
    }
    return widths === null ? undefined : widths.map((w) => tileStartOf(at, w)).join(',');
  }

  private keep(tenant: string, vector: FeatureVector, at: number, readAt: number): void {
    const bucket = this.bucketOf(vector.entity.type, at);
    if (bucket === undefined) return;
    const key = entryKey(tenant, vector.entity);
    const had = this.entries.get(key);
    // A read of older tiles (a late report) never replaces a newer one.
    if (had && had.bucket !== bucket && had.vector.at > at) return;
    this.entries.delete(key);
    this.entries.set(key, { bucket, readAt, vector });
    if (this.entries.size > this.maxEntries) {
      for (const k of this.entries.keys()) {
        this.entries.delete(k);
        if (this.entries.size <= this.maxEntries * 0.9) break;
      }
    }
  }

  private refreshLater(db: Knex, tenant: string, key: string, entity: EntityRef, at: number): void {
    let pending = this.due.get(tenant);
    if (!pending) this.due.set(tenant, (pending = { db, entities: new Map() }));
    pending.entities.set(key, { entity, at });
    if (!this.refreshing) this.refreshing = this.refreshDue().finally(() => (this.refreshing = undefined));
  }

  /** One read per tenant for everything due, repeated while more became due meanwhile. */
  private async refreshDue(): Promise<void> {
    await Promise.resolve();
    while (this.due.size > 0) {
      const [tenant, { db, entities }] = this.due.entries().next().value as [string, { db: Knex; entities: Map<string, { entity: EntityRef; at: number }> }];
      this.due.delete(tenant);
      // Read as of the newest instant asked for: the tiles of the latest reads.
      const at = Math.max(...[...entities.values()].map((e) => e.at));
      const list = [...entities.values()].map((e) => e.entity);
      const readAt = this.now();
      try {
        const read = await this.read(db, tenant, list, at);
        for (const vector of read) this.keep(tenant, vector, at, readAt);
      } catch {
        // The next batch reads them itself once they expire.
      }
    }
  }
}

const entryKey = (tenant: string, e: EntityRef): string => `${tenant}\u0000${e.type}\u0000${e.id}`;
