import type { Knex } from 'knex';
import { findShipmentLegs, shipmentKey, type ShipmentRef } from '../../features/store/find-shipment-legs';
import type { ShipmentLeg } from '../../features/shipment-leg';

export interface ShipmentLegCacheOptions {
  /** Longest a shipment's legs (or that it has none) are reused before they are read again (default 2,000 ms). */
  maxAgeMs?: number;
  /**
   * Halfway through an entry's life it is still used and read again in the background, with
   * every other entry then due in one read, so a busy shipment seldom waits for its legs.
   * Default false: read again once expired.
   */
  refreshInBackground?: boolean;
  /** Told of a background read that failed (its entries then expire and are read in the foreground). Default: ignored. */
  onBackgroundError?: (err: Error) => void;
  now?: () => number;
  random?: () => number;
  /** Shipments kept at most (default 200,000); the oldest go first when there are more. */
  maxEntries?: number;
  read?: (db: Knex, refs: ShipmentRef[]) => Promise<Map<string, ShipmentLeg[]>>;
}

/**
 * Shipments' booked legs kept between the scoring consumer's batches: a tracker reports every few
 * seconds and its legs seldom change, so each shipment's legs are read at most once per
 * `maxAgeMs` (each entry lives a random 50–100 % of it, so the reads of shipments first seen
 * together spread out). A leg booked or re-planned is seen that much later at most. With
 * `refreshInBackground`, batches use an entry past half its life while it is read again.
 */
export class ShipmentLegCache {
  /** Per shipment, its legs as read at `readAt` (when that read started). */
  private readonly entries = new Map<string, { legs: ShipmentLeg[]; readAt: number; refreshAt: number; expires: number }>();
  /** Entries due for a background read, and the read in flight (one at a time). */
  private readonly due = new Map<string, ShipmentRef>();
  private refreshing: Promise<void> | undefined;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxEntries: number;
  private readonly refreshInBackground: boolean;
  private readonly onBackgroundError: (err: Error) => void;
  private readonly read: NonNullable<ShipmentLegCacheOptions['read']>;

  constructor(options: ShipmentLegCacheOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxEntries = options.maxEntries ?? 200_000;
    this.refreshInBackground = options.refreshInBackground ?? false;
    this.onBackgroundError = options.onBackgroundError ?? (() => undefined);
    this.read = options.read ?? findShipmentLegs;
  }

  /** As findShipmentLegs: the legs of each shipment that has any, keyed `tenant\0shipmentId`, in seq order. */
  async get(db: Knex, refs: ShipmentRef[]): Promise<Map<string, ShipmentLeg[]>> {
    const out = await this.lookUp(db, refs);
    if (this.due.size > 0 && !this.refreshing) this.refreshing = this.refresh(db).finally(() => (this.refreshing = undefined));
    return out;
  }

  /** Resolves once no background read is in flight. */
  async settled(): Promise<void> {
    while (this.refreshing) await this.refreshing;
  }

  private async refresh(db: Knex): Promise<void> {
    const refs = new Map(this.due);
    this.due.clear();
    const startedAt = this.now();
    let read: Map<string, ShipmentLeg[]>;
    try {
      read = await this.read(db, [...refs.values()]);
    } catch (err) {
      try {
        this.onBackgroundError(err as Error);
      } catch {
        // a failing error callback must not become an unhandled rejection
      }
      return;
    }
    this.store(refs.keys(), read, startedAt);
  }

  private async lookUp(db: Knex, refs: ShipmentRef[]): Promise<Map<string, ShipmentLeg[]>> {
    const now = this.now();
    const out = new Map<string, ShipmentLeg[]>();
    const missing = new Map<string, ShipmentRef>();
    for (const ref of refs) {
      const key = shipmentKey(ref.tenant, ref.shipmentId);
      if (out.has(key) || missing.has(key)) continue;
      const entry = this.entries.get(key);
      if (entry && entry.expires > now) {
        if (entry.legs.length > 0) out.set(key, entry.legs);
        if (this.refreshInBackground && entry.refreshAt <= now) {
          this.due.set(key, ref);
          entry.refreshAt = entry.expires; // queued once, not again while its read is in flight
        }
      } else missing.set(key, ref);
    }
    if (missing.size === 0) return out;
    const read = await this.read(db, [...missing.values()]);
    this.store(missing.keys(), read, now);
    for (const key of missing.keys()) {
      const legs = read.get(key);
      if (legs && legs.length > 0) out.set(key, legs);
    }
    return out;
  }

  /**
   * Entries of `keys` as read by a read that started at `readAt`: their age counts from then, and
   * an entry from a read that started later (foreground or background) is kept.
   */
  private store(keys: Iterable<string>, read: Map<string, ShipmentLeg[]>, readAt: number): void {
    for (const key of keys) {
      if ((this.entries.get(key)?.readAt ?? -Infinity) > readAt) continue;
      this.due.delete(key);
      const life = this.maxAgeMs * (0.5 + this.random() / 2);
      this.entries.delete(key);
      this.entries.set(key, { legs: read.get(key) ?? [], readAt, refreshAt: readAt + life / 2, expires: readAt + life });
    }
    if (this.entries.size > this.maxEntries) {
      for (const k of this.entries.keys()) {
        this.entries.delete(k);
        if (this.entries.size <= this.maxEntries * 0.9) break;
      }
    }
  }
}
