import type { Knex } from 'knex';
import type { StoredReport } from '../../core/store/insert-reports';
import { storedEventTime } from '../../core/store/stored-event-time';

/**
 * Marks stored reports as not counted by rolling features (reports.in_features, which device
 * windows read): the feature hook's late reports, in the transaction that stored them. A report
 * not in `reports` (an importer's synthetic event) matches nothing. The reports' earliest and
 * latest times bound the statement, so PostgreSQL plans only the partitions that hold them.
 */
export async function leaveOutOfFeatures(db: Knex, reports: readonly StoredReport[]): Promise<void> {
  if (reports.length === 0) return;
  const times = reports.map((r) => storedEventTime(r.report.ts));
  const ms = times.map((ts) => Date.parse(ts));
  await db.raw(
    `UPDATE reports r SET in_features = false
     FROM unnest(?::text[], ?::text[], ?::timestamptz[], ?::text[]) AS u(tenant, device_id, ts, report_id)
     WHERE r.tenant = u.tenant AND r.device_id = u.device_id AND r.ts = u.ts AND r.report_id = u.report_id
       AND r.ts >= ?::timestamptz AND r.ts <= ?::timestamptz`,
    [
      reports.map((r) => r.tenant), reports.map((r) => r.report.deviceId), times, reports.map((r) => r.report.id),
      new Date(Math.min(...ms)).toISOString(), new Date(Math.max(...ms)).toISOString(),
    ] as unknown as Knex.RawBinding[],
  );
}
