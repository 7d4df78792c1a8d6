import type { Knex } from 'knex';
import type { Report } from '../report';
import { copyField, copyInto } from './copy-into';
import { joinArray, splitArray } from './joined-array';
import { storedEventTime } from './stored-event-time';

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
 * How a batch meets reports already stored: `skip` leaves them out (ON CONFLICT DO NOTHING);
 * `fail` makes the whole batch fail with unique_violation (23505). `fail` is a COPY: no
 * speculative insertion, no plan, rows written in multi-row batches (45 against 55 ms per 2,000
 * reports for the plain INSERT it replaced, itself about a third cheaper per row than `skip`), so
 * callers try it first and fall back to `skip` when a batch holds a duplicate, which only
 * redeliveries and client retries produce.
 */
export type ExistingReports = 'skip' | 'fail';

/** SQLSTATE of a key already present: the signal to insert the batch again with `skip`. */
export const uniqueViolation = '23505';

// speed_kph and battery_pct: the values device features read, so a device's window is read from
// reports alone (migration 0034). in_features is left to its default (true); the feature hook
// clears it for a report it drops as late.
const columns = ['tenant', 'device_id', 'report_id', 'ts', 'lat', 'lon', 'speed_kph', 'battery_pct', 'shipment_id', 'hub', 'event_code', 'body'];

/**
 * Inserts reports in one statement: with `skip` an INSERT (one array parameter per column) that
 * returns the keys of the rows that were new; with `fail` a COPY, every row new (or it throws),
 * so it returns undefined. The partitions must exist.
 */
export async function insertReports(db: Knex, rows: StoredReport[], existing: 'fail'): Promise<undefined>;
export async function insertReports(db: Knex, rows: StoredReport[], existing?: 'skip'): Promise<InsertedKey[]>;
export async function insertReports(db: Knex, rows: StoredReport[], existing: ExistingReports = 'skip'): Promise<InsertedKey[] | undefined> {
  if (rows.length === 0) return existing === 'skip' ? [] : undefined;
  if (existing === 'fail') return copyReports(db, rows);
  const result = await db.raw(
    `INSERT INTO reports (${columns.join(', ')})
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ${splitArray('?', 'timestamptz')}, ${splitArray('?', 'float8')}, ${splitArray('?', 'float8')},
                          ${splitArray('?', 'float8')}, ${splitArray('?', 'float8')}, ?::text[], ?::text[], ?::text[], ${splitArray('?', 'json')})
     ON CONFLICT DO NOTHING RETURNING tenant, device_id, report_id, ts`,
    [
      rows.map((r) => r.tenant),
      rows.map((r) => r.report.deviceId),
      rows.map((r) => r.report.id),
      joinArray(rows.map((r) => storedEventTime(r.report.ts))),
      joinArray(rows.map((r) => r.report.location?.lat ?? null)),
      joinArray(rows.map((r) => r.report.location?.lon ?? null)),
      joinArray(rows.map((r) => r.report.location?.speedKph ?? null)),
      joinArray(rows.map((r) => r.report.metrics?.battery_pct ?? null)),
      rows.map((r) => r.report.shipmentId ?? null),
      rows.map((r) => r.report.hub ?? null),
      rows.map((r) => r.report.event?.code ?? null),
      joinArray(rows.map((r) => r.json ?? JSON.stringify(r.report))),
    ] as unknown as Knex.RawBinding[],
  );
  return result.rows as InsertedKey[];
}

async function copyReports(db: Knex, rows: StoredReport[]): Promise<undefined> {
  let text = '';
  for (const { tenant, report: r, json } of rows) {
    const l = r.location;
    text += `${copyField(tenant)}\t${copyField(r.deviceId)}\t${copyField(r.id)}\t${storedEventTime(r.ts)}\t${copyField(l?.lat)}\t${copyField(l?.lon)}\t`
      + `${copyField(l?.speedKph)}\t${copyField(r.metrics?.battery_pct)}\t`
      + `${copyField(r.shipmentId)}\t${copyField(r.hub)}\t${copyField(r.event?.code)}\t${copyField(json ?? JSON.stringify(r))}\n`;
  }
  await copyInto(db, 'reports', columns, text);
  return undefined;
}
