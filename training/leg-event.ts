import type { StoredReport } from '../core/store/insert-reports';

/** A departed or arrived event of a leg from a history file, at its event time (epoch ms). */
export interface LegEvent {
  shipmentId: string;
  code: 'departed' | 'arrived';
  hub: string;
  ts: number;
}

/**
 * The report a tracker would have sent for the event: imports hand these to the same feature
 * hook as live ingest, which derives the delay from the stored leg plan as it does live.
 */
export function legEventReport(tenant: string, deviceId: string, e: LegEvent): StoredReport {
  return {
    tenant,
    report: {
      id: `${e.shipmentId}:${e.code}`,
      deviceId,
      ts: new Date(e.ts).toISOString(),
      shipmentId: e.shipmentId,
      hub: e.hub,
      event: { code: e.code },
    },
  };
}
