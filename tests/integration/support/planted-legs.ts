import type { Knex } from 'knex';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createFeatureMetrics, createFeatureUpdater, upsertShipmentLegs, type ShipmentLeg } from '../../../features';
import { delayFeatureCatalog } from '../../../models/delay-feature-catalog';
import { feedLegEvents } from '../../../training/feed-leg-events';
import type { LegEvent } from '../../../training/leg-event';
import { mulberry32 } from '../../../training/seeded-random';
import { upsertLegOutcomes, type LegOutcome } from '../../../training/store/upsert-leg-outcomes';

export interface PlantedLegsOptions {
  tenant: string;
  legs: number;
  days: number;
  start?: number;
  seed?: number;
  /** Also feed departed/arrived events through the feature hook, so rolling features exist (slower). */
  withEvents?: boolean;
}

const hubs = ['ATL', 'ORD', 'DEN', 'DFW', 'LAX', 'SEA'];
/** The planted pattern: legs out of these hubs are late 85% of the time, the others 10%. */
export const lateHubs = new Set(['ATL', 'ORD']);

/**
 * Small labelled history with a pattern a model can learn: single-leg air shipments spread over
 * `days`, late or not by their origin hub. Written as the importers write it (legs, outcomes and,
 * optionally, their events through the same feature hook), in one transaction.
 */
export async function writePlantedLegs(db: Knex, o: PlantedLegsOptions): Promise<{ from: number; to: number }> {
  const random = mulberry32(o.seed ?? 11);
  const start = o.start ?? Date.UTC(2001, 0, 1);
  const span = o.days * 86_400_000;
  const legs: ShipmentLeg[] = [];
  const outcomes: LegOutcome[] = [];
  const events: LegEvent[] = [];
  for (let i = 0; i < o.legs; i++) {
    const from = hubs[Math.floor(random() * hubs.length)] as string;
    let to = hubs[Math.floor(random() * hubs.length)] as string;
    if (to === from) to = hubs[(hubs.indexOf(from) + 1) % hubs.length] as string;
    const dep = start + Math.floor((i / o.legs) * span);
    const arr = dep + 3 * 3_600_000;
    const late = random() < (lateHubs.has(from) ? 0.85 : 0.1);
    const delayMin = late ? 30 + random() * 60 : -10 + random() * 20;
    const shipmentId = `${o.tenant}-${i}`;
    legs.push({ shipmentId, seq: 0, mode: 'air', from, to, plannedDeparture: dep, plannedArrival: arr });
    outcomes.push({ shipmentId, seq: 0, departedAt: dep, arrivedAt: arr + Math.round(delayMin * 60_000) });
    events.push({ shipmentId, code: 'departed', hub: from, ts: dep }, { shipmentId, code: 'arrived', hub: to, ts: arr + Math.round(delayMin * 60_000) });
  }
  await db.transaction(async (trx) => {
    await upsertShipmentLegs(trx, o.tenant, legs);
    await upsertLegOutcomes(trx, o.tenant, outcomes);
    if (o.withEvents) {
      const hook = createFeatureUpdater({
        allowedLatenessMs: 900_000, logger: pino({ level: 'silent' }), metrics: createFeatureMetrics(new Registry()), catalog: delayFeatureCatalog, instance: `planted-${o.tenant}`,
      });
      await feedLegEvents(trx, events, { tenant: o.tenant, deviceId: 'planted', hook, sliceMs: 900_000 });
    }
  });
  return { from: start, to: start + span };
}

/** Shuffles the outcomes of legs planned before `before` among themselves: labels no input can predict. */
export async function shuffleOutcomesBefore(db: Knex, tenant: string, before: number, seed = 5): Promise<number> {
  const rows = (await db.raw(
    `SELECT o.shipment_id, o.seq, o.arrived_at - l.planned_arrival AS delay
     FROM leg_outcomes o JOIN shipment_legs l USING (tenant, shipment_id, seq)
     WHERE o.tenant = ? AND l.planned_departure < to_timestamp(? / 1000.0) ORDER BY o.shipment_id`,
    [tenant, before],
  )).rows as { shipment_id: string; seq: number; delay: unknown }[];
  const random = mulberry32(seed);
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  await db.transaction(async (trx) => {
    for (let k = 0; k < rows.length; k++) {
      const target = rows[k] as { shipment_id: string; seq: number };
      const source = rows[order[k] as number] as { delay: unknown };
      await trx.raw(
        `UPDATE leg_outcomes o SET arrived_at = l.planned_arrival + ?::interval
         FROM shipment_legs l WHERE l.tenant = o.tenant AND l.shipment_id = o.shipment_id AND l.seq = o.seq
           AND o.tenant = ? AND o.shipment_id = ? AND o.seq = ?`,
        [intervalText(source.delay), tenant, target.shipment_id, target.seq],
      );
    }
  });
  return rows.length;
}

// pg returns intervals as objects ({ minutes, seconds, milliseconds, ... }); back to text for the update.
function intervalText(v: unknown): string {
  if (typeof v === 'string') return v;
  const i = v as Record<string, number | undefined>;
  const ms = (i.days ?? 0) * 86_400_000 + (i.hours ?? 0) * 3_600_000 + (i.minutes ?? 0) * 60_000 + (i.seconds ?? 0) * 1000 + (i.milliseconds ?? 0);
  return `${ms} milliseconds`;
}
