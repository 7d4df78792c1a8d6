import type { AlertSweepOptions } from './alert-sweep-options';
import { applyConditions } from './apply-conditions';
import type { Condition } from './condition';
import { every } from './every';
import { findArrivedShipmentAlerts } from './store/find-arrived-shipment-alerts';

export const arrivalSweepActor = 'system:arrival-sweep';

/**
 * One sweep: resolves, as arrived, the predicted-delay alerts of shipments whose arrival is
 * recorded. Scoring resolves them itself when it sees the arrival; this catches one opened by a
 * concurrent transaction that could not see the arrival yet (two trackers' partitions racing at a
 * hand-over), which no later report would clear, since an arrived shipment is no longer scored.
 */
export async function resolveArrivedShipmentAlerts(o: AlertSweepOptions): Promise<number> {
  const found = await findArrivedShipmentAlerts(o.db, o.limit ?? 1000);
  if (found.length === 0) return 0;
  const at = (o.now ?? Date.now)();
  const conditions: Condition[] = found.map((f) => ({
    tenant: f.tenant, kind: 'predicted_delay', subjectType: 'shipment', subjectId: f.shipmentId, ruleKey: '',
    active: false, at, clearReason: 'arrived', final: true,
  }));
  const applied = await o.db.transaction((trx) => applyConditions(trx, conditions, arrivalSweepActor));
  await o.afterCommit(applied);
  return applied.events.length;
}

export function startArrivedShipmentSweep(o: AlertSweepOptions & { everyMs: number }): { stop(): Promise<void> } {
  return every(o.everyMs, () => resolveArrivedShipmentAlerts(o), (err) => o.logger.error({ err }, 'arrived-shipment sweep failed'));
}
