import type { Knex } from 'knex';
import { joinArray, splitArray } from '../../core/store/joined-array';

export interface LiveArrival {
  tenant: string;
  shipmentId: string;
  seq: number;
  /** Epoch ms of the arrived event. */
  arrivedAt: number;
  /** The hub the leg leaves, to find its departed event among the stored reports. */
  fromHub: string;
}

/**
 * Records live arrivals as leg outcomes (the labels retraining and drift checks read). The first
 * arrival wins: a repeated or replayed arrived event never moves it. The departure is the earliest
 * stored departed event of the shipment at the leg's origin (or naming no hub) before the arrival.
 */
export async function recordLiveArrivals(db: Knex, arrivals: LiveArrival[]): Promise<void> {
  if (arrivals.length === 0) return;
  await db.raw(
    `INSERT INTO leg_outcomes AS o (tenant, shipment_id, seq, departed_at, arrived_at)
     SELECT u.tenant, u.shipment_id, u.seq,
            (SELECT min(r.ts) FROM reports r
             WHERE r.tenant = u.tenant AND r.shipment_id = u.shipment_id AND r.event_code = 'departed'
               AND (r.hub = u.from_hub OR r.hub IS NULL) AND r.ts <= to_timestamp(u.arrived_ms / 1000.0)),
            to_timestamp(u.arrived_ms / 1000.0)
     FROM unnest(?::text[], ?::text[], ${splitArray('?', 'int')}, ${splitArray('?', 'float8')}, ?::text[])
          AS u(tenant, shipment_id, seq, arrived_ms, from_hub)
     ON CONFLICT (tenant, shipment_id, seq) DO UPDATE SET
       arrived_at = LEAST(o.arrived_at, excluded.arrived_at),
       departed_at = coalesce(o.departed_at, excluded.departed_at)`,
    [
      arrivals.map((a) => a.tenant), arrivals.map((a) => a.shipmentId), joinArray(arrivals.map((a) => a.seq)),
      joinArray(arrivals.map((a) => a.arrivedAt)), arrivals.map((a) => a.fromHub),
    ] as unknown as Knex.RawBinding[],
  );
}
