import type { Knex } from 'knex';
import type { FeatureCatalog } from '../features/catalog';
import { defaultCatalog } from '../features/definitions';
import type { EntityRef, EntityType } from '../features/entity';
import type { FeatureVector } from '../features/feature-vector';
import { getOnlineFeatures } from '../features/online-features';
import { tileStartOf } from '../features/tile';

export interface OnlineFeatureCacheOptions {
  db: Knex;
  /**
   * Longest a vector read from the tiles is reused (ms); 0 reads every time. Never beyond the
   * next tile boundary of any of the entity's features, where its values move on.
   */
  ttlMs: number;
  catalog?: FeatureCatalog;
  /** Most vectors kept; the oldest go first. Default 50,000. */
  maxEntries?: number;
}

interface Entry {
  vector: FeatureVector;
  until: number;
}

/** Aggregations whose value moves with the read time itself, not only at tile boundaries. */
const clockDependent = new Set(['seconds_since_last']);

/**
 * Online feature vectors of a tenant's entities, read in one query for all the entities a batch
 * of requests needs that are not held, and kept for a short while.
 *
 * Why this is truthful: an online value at time `at` aggregates whole tiles before the tile that
 * holds `at` (features/evaluate-feature.ts), so until the next tile boundary a later read returns
 * the same values, asOf and lastEventAt, except for events that land in an already closed tile
 * after the read (ingest delay, late events within the allowed lateness). Those reach answers at
 * most `ttlMs` late. Entity types with a clock-dependent feature (seconds since the last report)
 * are never held. Concurrent misses of one entity share one read.
 */
export class OnlineFeatureCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<FeatureVector>>();
  private readonly catalog: FeatureCatalog;
  private readonly widths = new Map<EntityType, number[] | null>();
  private readonly maxEntries: number;

  constructor(private readonly o: OnlineFeatureCacheOptions) {
    this.catalog = o.catalog ?? defaultCatalog;
    this.maxEntries = o.maxEntries ?? 50_000;
  }

  /** The vectors of `entities` as of `at`, keyed `type:id`. */
  async get(tenant: string, entities: readonly EntityRef[], at: number): Promise<Map<string, FeatureVector>> {
    const out = new Map<string, FeatureVector>();
    const waits: Promise<void>[] = [];
    const misses: EntityRef[] = [];
    const shared: (string | undefined)[] = [];
    for (const e of entities) {
      const id = `${e.type}:${e.id}`;
      if (out.has(id)) continue;
      const period = this.o.ttlMs > 0 ? this.periodOf(e.type, at) : undefined;
      const key = `${tenant}\u0000${id}`;
      if (period !== undefined) {
        const hit = this.entries.get(key);
        if (hit && hit.until > at && hit.vector.at <= at) {
          out.set(id, hit.vector);
          continue;
        }
        // A read in flight for the same tiles answers this one too.
        const pending = this.inflight.get(`${key}@${period}`);
        if (pending) {
          waits.push(pending.then((v) => void out.set(id, v)));
          continue;
        }
      }
      out.set(id, undefined as unknown as FeatureVector);
      misses.push(e);
      shared.push(period === undefined ? undefined : `${key}@${period}`);
    }
    // Awaited last; guarded now, so a failure of our own read first leaves no rejection unhandled.
    const shares = Promise.all(waits);
    shares.catch(() => undefined);
    if (misses.length > 0) {
      const read = getOnlineFeatures(this.o.db, { tenant, entities: misses, at, catalog: this.catalog });
      shared.forEach((flight, i) => {
        if (flight === undefined) return;
        const one = read.then((vs) => vs[i] as FeatureVector);
        one.catch(() => undefined);
        this.inflight.set(flight, one);
      });
      try {
        const vectors = await read;
        vectors.forEach((v, i) => {
          out.set(`${v.entity.type}:${v.entity.id}`, v);
          if (shared[i] !== undefined) this.keep(`${tenant}\u0000${v.entity.type}:${v.entity.id}`, v, at);
        });
      } finally {
        for (const flight of shared) if (flight !== undefined) this.inflight.delete(flight);
      }
    }
    await shares;
    return out;
  }

  /** Vectors held now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private keep(key: string, vector: FeatureVector, at: number): void {
    const widths = this.tileWidths(vector.entity.type);
    if (!widths) return;
    let until = at + this.o.ttlMs;
    for (const w of widths) until = Math.min(until, tileStartOf(at, w) + w);
    this.entries.delete(key);
    this.entries.set(key, { vector, until });
    if (this.entries.size > this.maxEntries) {
      for (const old of this.entries.keys()) {
        this.entries.delete(old);
        if (this.entries.size <= this.maxEntries) break;
      }
    }
  }

  /**
   * Which stretch of time `at` falls in for this entity type: within one, every feature reads the
   * same tiles (the tile widths' greatest common divisor). Undefined: never held.
   */
  private periodOf(type: EntityType, at: number): number | undefined {
    const widths = this.tileWidths(type);
    if (!widths) return undefined;
    return tileStartOf(at, widths.reduce(gcd));
  }

  /** The tile widths an entity type's features read; null when one of them is clock-dependent. */
  private tileWidths(type: EntityType): number[] | null {
    let widths = this.widths.get(type);
    if (widths === undefined) {
      const features = this.catalog.featuresOf(type);
      const series = features.flatMap((f) => [f.series, f.denominatorSeries]).filter((s): s is string => s !== undefined);
      widths = features.length === 0 || features.some((f) => clockDependent.has(f.aggregation))
        ? null
        : [...new Set(series.map((s) => this.catalog.series.get(s)?.tileMs ?? 1))];
      this.widths.set(type, widths);
    }
    return widths;
  }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
