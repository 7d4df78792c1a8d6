import type { StoredReport, StoredReportsHook } from '../core/store/insert-reports';
import { findShipmentLegs, shipmentKey } from '../features/store/find-shipment-legs';
import { matchLeg } from '../features/shipment-leg';
import { recordLiveArrivals, type LiveArrival } from './store/record-live-arrivals';

/**
 * The ingest hook that turns live arrived events into leg outcomes, in the batch's transaction,
 * so retraining learns from live shipments and drift checks can judge live predictions. The leg
 * is matched as the rolling features match it (features/shipment-leg.ts); an arrival of an
 * unknown shipment or leg has nothing to label and is left out.
 */
export function createLegOutcomeRecorder(): StoredReportsHook {
  return async (trx, stored) => {
    const events = stored.filter(isArrival);
    if (events.length === 0) return;
    const legs = await findShipmentLegs(trx, events.map((e) => ({ tenant: e.tenant, shipmentId: e.report.shipmentId as string })));
    const byLeg = new Map<string, LiveArrival>();
    for (const { tenant, report } of events) {
      const ts = Date.parse(report.ts);
      const leg = matchLeg(legs.get(shipmentKey(tenant, report.shipmentId as string)) ?? [], 'arrived', report.hub, ts);
      if (!leg) continue;
      const key = `${shipmentKey(tenant, leg.shipmentId)}\u0000${leg.seq}`;
      const seen = byLeg.get(key);
      if (!seen || ts < seen.arrivedAt) byLeg.set(key, { tenant, shipmentId: leg.shipmentId, seq: leg.seq, arrivedAt: ts, fromHub: leg.from });
    }
    // Sorted, so concurrent consumers lock outcome rows in the same order.
    await recordLiveArrivals(trx, [...byLeg.keys()].sort().map((k) => byLeg.get(k) as LiveArrival));
  };
}

const isArrival = (s: StoredReport) => s.report.shipmentId !== undefined && s.report.event?.code === 'arrived';
