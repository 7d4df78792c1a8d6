import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createFeatureMetrics, createFeatureUpdater, upsertShipmentLegs, type ShipmentLeg } from '../features';
import { delayFeatureCatalog } from '../models/delay-feature-catalog';
import { feedLegEvents } from '../training/feed-leg-events';
import type { LegEvent } from '../training/leg-event';

export interface PlantedCongestionOptions {
  db: Knex;
  logger: Logger;
  tenant: string;
  /** The jammed hub. */
  hub: string;
  /** Hubs its late flights leave for (real lanes out of `hub`). */
  destinations: string[];
  /** Hubs late flights arrive from (real lanes into `hub`). */
  origins: string[];
  allowedLatenessMs: number;
  now: number;
  /** Late legs fed each way (default 40). */
  legs?: number;
  /** Their delay, minutes (default 150). */
  delayMin?: number;
}

const minute = 60_000;

/**
 * A hub that jams: over the last 12 minutes `legs` flights leave it for `destinations` and arrive
 * there, and as many arrive at it from `origins`, each `delayMin` late; stored and fed to the same
 * feature hook as live ingest. The hub's departure and arrival delays, its lanes' delays and the
 * network's then show it when the scoring consumer reads them. The events stay within the allowed
 * lateness of a tenant whose watermark is about now.
 */
export async function plantCongestion(o: PlantedCongestionOptions): Promise<void> {
  const count = o.legs ?? 40;
  const delay = (o.delayMin ?? 150) * minute;
  const legs: ShipmentLeg[] = [];
  const events: LegEvent[] = [];
  const at = (i: number, shift: number) => o.now - 12 * minute + Math.round((i / count) * 10 * minute) + shift;
  for (let i = 0; i < count; i++) {
    // Out of the hub: left late, arrived late (the lane's delay, the destination's arrivals).
    const out = `jam-${o.hub}-${o.now.toString(36)}-out-${i}`;
    const departed = at(i, 0);
    const arrived = at(i, minute);
    legs.push({ shipmentId: out, seq: 0, mode: 'air', from: o.hub, to: o.destinations[i % o.destinations.length] as string, plannedDeparture: departed - delay, plannedArrival: arrived - delay });
    events.push({ shipmentId: out, code: 'departed', hub: o.hub, ts: departed }, { shipmentId: out, code: 'arrived', hub: legs[legs.length - 1]!.to, ts: arrived });
    // Into the hub: arrived late.
    const into = `jam-${o.hub}-${o.now.toString(36)}-in-${i}`;
    const landed = at(i, 30_000);
    legs.push({ shipmentId: into, seq: 0, mode: 'air', from: o.origins[i % o.origins.length] as string, to: o.hub, plannedDeparture: landed - delay - 90 * minute, plannedArrival: landed - delay });
    events.push({ shipmentId: into, code: 'arrived', hub: o.hub, ts: landed });
  }
  const hook = createFeatureUpdater({
    allowedLatenessMs: o.allowedLatenessMs, logger: o.logger, metrics: createFeatureMetrics(new Registry()),
    catalog: delayFeatureCatalog, instance: `bench-jam-${o.tenant}`, now: () => o.now,
  });
  await o.db.transaction(async (trx) => {
    await upsertShipmentLegs(trx, o.tenant, legs);
    await feedLegEvents(trx, events, { tenant: o.tenant, deviceId: 'bench:jam', hook, sliceMs: o.allowedLatenessMs });
  });
}
