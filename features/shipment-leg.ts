import { z } from 'zod';

/** One leg of a shipment with its plan (DESIGN.md's Shipment contract). Times are epoch ms. */
export const shipmentLegSchema = z.strictObject({
  shipmentId: z.string().min(1).max(128),
  seq: z.number().int().min(0),
  mode: z.enum(['road', 'rail', 'air', 'sea']),
  from: z.string().min(1).max(128),
  to: z.string().min(1).max(128),
  plannedDeparture: z.number().int(),
  plannedArrival: z.number().int(),
  carrier: z.string().max(128).optional(),
});

export type ShipmentLeg = z.infer<typeof shipmentLegSchema>;

export type LegEventCode = 'departed' | 'arrived';

/**
 * The leg a departed/arrived event belongs to: the one leaving (arriving at) the event's hub,
 * or, when the report names no hub, any leg; among several, the one planned closest to the event.
 */
export function matchLeg(legs: readonly ShipmentLeg[], code: LegEventCode, hub: string | undefined, ts: number): ShipmentLeg | undefined {
  let best: ShipmentLeg | undefined;
  let bestGap = Infinity;
  for (const leg of legs) {
    const legHub = code === 'departed' ? leg.from : leg.to;
    if (hub !== undefined && legHub !== hub) continue;
    const gap = Math.abs(ts - plannedTime(leg, code));
    if (gap < bestGap || (gap === bestGap && best !== undefined && leg.seq < best.seq)) {
      best = leg;
      bestGap = gap;
    }
  }
  return best;
}

export const plannedTime = (leg: ShipmentLeg, code: LegEventCode): number =>
  code === 'departed' ? leg.plannedDeparture : leg.plannedArrival;
