import type { Knex } from 'knex';
import { findShipmentLegs, shipmentKey, type ShipmentRef } from '../../features/store/find-shipment-legs';
import type { ShipmentLeg } from '../../features/shipment-leg';

export interface ShipmentLegCacheOptions {
  /** Longest a shipment's legs (or that it has none) are reused before they are read again (default 2,000 ms). */
  maxAgeMs?: number;
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
 * together spread out). A leg booked or re-planned is seen that much later at most.
 */
export class ShipmentLegCache {
  private readonly entries = new Map<string, { legs: ShipmentLeg[]; expires: number }>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxEntries: number;
  private readonly read: NonNullable<ShipmentLegCacheOptions['read']>;

  constructor(options: ShipmentLegCacheOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxEntries = options.maxEntries ?? 200_000;
    this.read = options.read ?? findShipmentLegs;
  }

  /** As findShipmentLegs: the legs of each shipment that has any, keyed `tenant\0shipmentId`, in seq order. */
  async get(db: Knex, refs: ShipmentRef[]): Promise<Map<string, ShipmentLeg[]>> {
    const now = this.now();
    const out = new Map<string, ShipmentLeg[]>();
    const missing = new Map<string, ShipmentRef>();
    for (const ref of refs) {
      const key = shipmentKey(ref.tenant, ref.shipmentId);
      if (out.has(key) || missing.has(key)) continue;
      const entry = this.entries.get(key);
      if (entry && entry.expires > now) {
        if (entry.legs.length > 0) out.set(key, entry.legs);
      } else missing.set(key, ref);
    }
    if (missing.size === 0) return out;
    const read = await this.read(db, [...missing.values()]);
    for (const key of missing.keys()) {
      const legs = read.get(key) ?? [];
      if (legs.length > 0) out.set(key, legs);
      this.entries.delete(key);
      this.entries.set(key, { legs, expires: now + this.maxAgeMs * (0.5 + this.random() / 2) });
    }
    if (this.entries.size > this.maxEntries) {
      for (const k of this.entries.keys()) {
        this.entries.delete(k);
        if (this.entries.size <= this.maxEntries * 0.9) break;
      }
    }
    return out;
  }
}
