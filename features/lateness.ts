import type { StoredReport } from '../core/store/insert-reports';

export interface LatenessSplit {
  onTime: StoredReport[];
  late: StoredReport[];
  /** Per tenant, the watermark to store after this batch. */
  watermarks: Map<string, number>;
}

/**
 * A tenant's watermark is the newest event time its features have seen, counting this batch
 * (so the order of reports inside a batch never matters) but never beyond the wall clock (a
 * device with its clock in the future must not make everyone else late). A report older than
 * watermark − allowed lateness is late: counted and logged by the caller, left out of features.
 */
export function splitLate(stored: StoredReport[], previous: Map<string, number>, allowedLatenessMs: number, nowMs: number): LatenessSplit {
  const watermarks = new Map<string, number>();
  for (const { tenant, report } of stored) {
    const ts = Math.min(Date.parse(report.ts), nowMs);
    watermarks.set(tenant, Math.max(watermarks.get(tenant) ?? previous.get(tenant) ?? -Infinity, ts));
  }
  const onTime: StoredReport[] = [];
  const late: StoredReport[] = [];
  for (const r of stored) {
    const horizon = (watermarks.get(r.tenant) ?? -Infinity) - allowedLatenessMs;
    (Date.parse(r.report.ts) < horizon ? late : onTime).push(r);
  }
  return { onTime, late, watermarks };
}
