import type { Knex } from 'knex';
import { compareTenantKeys } from '../../../core/compare-tenant-keys';
import { joinArray, splitArray } from '../../../core/store/joined-array';
import type { SqlStatement } from '../../../core/store/sql-statement';

export interface ShipmentStatusUpdate {
  tenant: string;
  shipmentId: string;
  reportTs: number;
  deviceId: string;
  lat: number | null;
  lon: number | null;
  legSeq: number | null;
  arrivedAt: number | null;
  prediction: { pLate: number; delayP50Min: number; delayP90Min: number; modelVersion: string; at: number } | null;
}

/**
 * The upsert of `updates` (at least one) as a statement: one row per shipment, moved only forward
 * in event time (a late report never rewinds it). Times go as epoch ms, cheaper to send than ISO text.
 */
export function shipmentStatusUpsert(updates: ShipmentStatusUpdate[]): SqlStatement {
  const u = [...updates].sort((a, b) => compareTenantKeys(a.tenant, a.shipmentId, b.tenant, b.shipmentId));
  return {
    sql: `INSERT INTO shipment_status AS s (tenant, shipment_id, last_report_ts, last_device_id, last_lat, last_lon, last_location_ts,
                                       current_leg_seq, arrived_at, p_late, delay_p50_min, delay_p90_min, model_version, predicted_at)
     SELECT t, sid, to_timestamp(ts / 1000), dev, lat, lon, CASE WHEN lat IS NULL THEN NULL ELSE to_timestamp(ts / 1000) END, leg,
            to_timestamp(arr / 1000), pl, p50, p90, mv, to_timestamp(pat / 1000)
     FROM unnest(?::text[], ?::text[], ${splitArray('?', 'float8')}, ?::text[], ${splitArray('?', 'float8')}, ${splitArray('?', 'float8')},
                 ${splitArray('?', 'int')}, ${splitArray('?', 'float8')}, ${splitArray('?', 'float8')}, ${splitArray('?', 'float8')},
                 ${splitArray('?', 'float8')}, ?::text[], ${splitArray('?', 'float8')})
       AS x(t, sid, ts, dev, lat, lon, leg, arr, pl, p50, p90, mv, pat)
     ON CONFLICT (tenant, shipment_id) DO UPDATE SET
       last_report_ts = GREATEST(s.last_report_ts, EXCLUDED.last_report_ts),
       last_device_id = CASE WHEN EXCLUDED.last_report_ts >= s.last_report_ts THEN EXCLUDED.last_device_id ELSE s.last_device_id END,
       last_lat = CASE WHEN EXCLUDED.last_location_ts >= coalesce(s.last_location_ts, '-infinity') THEN EXCLUDED.last_lat ELSE s.last_lat END,
       last_lon = CASE WHEN EXCLUDED.last_location_ts >= coalesce(s.last_location_ts, '-infinity') THEN EXCLUDED.last_lon ELSE s.last_lon END,
       last_location_ts = GREATEST(s.last_location_ts, EXCLUDED.last_location_ts),
       current_leg_seq = CASE WHEN EXCLUDED.last_report_ts >= s.last_report_ts THEN coalesce(EXCLUDED.current_leg_seq, s.current_leg_seq) ELSE s.current_leg_seq END,
       arrived_at = coalesce(s.arrived_at, EXCLUDED.arrived_at),
       p_late = CASE WHEN EXCLUDED.predicted_at >= coalesce(s.predicted_at, '-infinity') THEN EXCLUDED.p_late ELSE s.p_late END,
       delay_p50_min = CASE WHEN EXCLUDED.predicted_at >= coalesce(s.predicted_at, '-infinity') THEN EXCLUDED.delay_p50_min ELSE s.delay_p50_min END,
       delay_p90_min = CASE WHEN EXCLUDED.predicted_at >= coalesce(s.predicted_at, '-infinity') THEN EXCLUDED.delay_p90_min ELSE s.delay_p90_min END,
       model_version = CASE WHEN EXCLUDED.predicted_at >= coalesce(s.predicted_at, '-infinity') THEN EXCLUDED.model_version ELSE s.model_version END,
       predicted_at = GREATEST(s.predicted_at, EXCLUDED.predicted_at)`,
    // Numbers as joined strings (core/store/joined-array.ts): node-postgres' array literals were
    // the largest single share of the scorer's allocations. Ids and model versions stay arrays.
    bindings: [
      u.map((x) => x.tenant), u.map((x) => x.shipmentId), joinArray(u.map((x) => x.reportTs)), u.map((x) => x.deviceId),
      joinArray(u.map((x) => x.lat)), joinArray(u.map((x) => x.lon)), joinArray(u.map((x) => x.legSeq)), joinArray(u.map((x) => x.arrivedAt)),
      joinArray(u.map((x) => x.prediction?.pLate ?? null)), joinArray(u.map((x) => x.prediction?.delayP50Min ?? null)),
      joinArray(u.map((x) => x.prediction?.delayP90Min ?? null)), u.map((x) => x.prediction?.modelVersion ?? null),
      joinArray(u.map((x) => x.prediction?.at ?? null)),
    ] as unknown as Knex.RawBinding[],
  };
}
