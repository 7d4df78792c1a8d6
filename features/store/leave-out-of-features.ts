import type { Knex } from 'knex';
import type { StoredReport } from '../../core/store/insert-reports';

/**
 * Marks stored reports as not counted by rolling features (reports.in_features, which device
 * windows read): the feature hook's late reports, in the transaction that stored them. A report
 * not in `reports` (an importer's synthetic event) matches nothing.
 */
export async function leaveOutOfFeatures(db: Knex, reports: readonly StoredReport[]): Promise<void> {
  if (reports.length === 0) return;
  await db.raw(
    `UPDATE reports r SET in_features = false
     FROM unnest(?::text[], ?::text[], ?::timestamptz[], ?::text[]) AS u(tenant, device_id, ts, report_id)
     WHERE r.tenant = u.tenant AND r.device_id = u.device_id AND r.ts = u.ts AND r.report_id = u.report_id`,
    [reports.map((r) => r.tenant), reports.map((r) => r.report.deviceId), reports.map((r) => r.report.ts), reports.map((r) => r.report.id)] as unknown as Knex.RawBinding[],
  );
}
