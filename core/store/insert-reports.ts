import type { Knex } from 'knex';
import type { Report } from '../report';

export interface StoredReport {
  tenant: string;
  report: Report;
  /** The report's JSON exactly as received, stored as the body; serialised from `report` when absent. */
  json?: string;
}

/**
 * Called inside an ingest batch's transaction with only the reports that were new, so whatever
 * it derives (rolling features) commits atomically with them and counts each report once.
 */
export type StoredReportsHook = (trx: Knex.Transaction, stored: StoredReport[]) => Promise<void>;

export interface InsertedKey {
  tenant: string;
  device_id: string;
  report_id: string;
  ts: Date;
}

/**
 * Inserts reports in one statement (one array parameter per column), skipping those already
 * stored. Returns the keys of the rows that were new. The partitions must exist.
 */
export async function insertReports(db: Knex, rows: StoredReport[]): Promise<InsertedKey[]> {
  if (rows.length === 0) return [];
  const result = await db.raw(
    `INSERT INTO reports (tenant, device_id, report_id, ts, lat, lon, shipment_id, hub, event_code, body)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::float8[], ?::float8[],
                          ?::text[], ?::text[], ?::text[], ?::json[])
     ON CONFLICT DO NOTHING
     RETURNING tenant, device_id, report_id, ts`,
    [
      rows.map((r) => r.tenant),
      rows.map((r) => r.report.deviceId),
      rows.map((r) => r.report.id),
      rows.map((r) => r.report.ts),
      rows.map((r) => r.report.location?.lat ?? null),
      rows.map((r) => r.report.location?.lon ?? null),
      rows.map((r) => r.report.shipmentId ?? null),
      rows.map((r) => r.report.hub ?? null),
      rows.map((r) => r.report.event?.code ?? null),
      rows.map((r) => r.json ?? JSON.stringify(r.report)),
    ] as unknown as Knex.RawBinding[],
  );
  return result.rows as InsertedKey[];
}
