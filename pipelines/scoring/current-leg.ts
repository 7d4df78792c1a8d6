import type { Report } from '../../core/report';
import { matchLeg, type ShipmentLeg } from '../../features/shipment-leg';

export interface LegPosition {
  leg: ShipmentLeg;
  /** The report says the shipment reached its final destination (arrived on the last leg, or delivered). */
  arrived: boolean;
}

/**
 * The leg a report is about: for departed/arrived events, the leg at the event's hub; otherwise
 * the first leg not yet due (planned arrival at or after the report), or the last leg.
 */
export function currentLeg(legs: readonly ShipmentLeg[], report: Report, ts: number): LegPosition | undefined {
  if (legs.length === 0) return undefined;
  const last = legs[legs.length - 1]!;
  const code = report.event?.code;
  if (code === 'delivered') return { leg: last, arrived: true };
  if (code === 'arrived' || code === 'departed') {
    const leg = matchLeg(legs, code, report.hub, ts);
    if (leg) return { leg, arrived: code === 'arrived' && leg.seq === last.seq };
  }
  return { leg: legs.find((l) => l.plannedArrival >= ts) ?? last, arrived: false };
}
