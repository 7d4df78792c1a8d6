import type { StoredReport } from '../core/store/insert-reports';

export interface LatenessSplit {
  onTime: StoredReport[];
  late: StoredReport[];
  /** Per tenant, the watermark to store after this batch. */
  watermarks: Map<string, number>;
}

/**
 * A tenant's watermark is the newest event time its features had seen before this batch, never
 * beyond the wall clock (a device with its clock in the future must not make everyone else late).
 * A report older than watermark − allowed lateness is late: counted and logged by the caller,
 * left out of features. Judging a whole batch against the watermark before it means the order
 * inside a batch never matters, and a batch of history spanning hours drops nothing.
 */
export function splitLate(stored: StoredReport[], previous: Map<string, number>, allowedLatenessMs: number, nowMs: number): LatenessSplit {
  const watermarks = new Map<string, number>();
  const onTime: StoredReport[] = [];
  const late: StoredReport[] = [];
  for (const r of stored) {
    const ts = Date.parse(r.report.ts);
    (ts < (previous.get(r.tenant) ?? -Infinity) - allowedLatenessMs ? late : onTime).push(r);
    const seen = watermarks.get(r.tenant) ?? previous.get(r.tenant) ?? -Infinity;
    watermarks.set(r.tenant, Math.max(seen, Math.min(ts, nowMs)));
  }
  return { onTime, late, watermarks };
}
