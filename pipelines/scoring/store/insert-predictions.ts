import type { Knex } from 'knex';
import type { SqlStatement } from '../../../core/store/sql-statement';

export interface StoredPrediction {
  tenant: string;
  shipmentId: string;
  legSeq: number;
  reportId: string | null;
  deviceId: string | null;
  predictedAt: number;
  pLate: number;
  delayP50Min: number;
  delayP90Min: number;
  modelVersion: string;
  features: Record<string, number | null>;
  changedAlert: boolean;
}

/** The insert of `rows` (at least one) as a statement. */
export function predictionsInsert(rows: StoredPrediction[]): SqlStatement {
  return {
    sql: `INSERT INTO predictions (tenant, shipment_id, leg_seq, report_id, device_id, predicted_at, p_late, delay_p50_min, delay_p90_min, model_version, features, changed_alert)
     SELECT t, s, l, r, d, p, pl, p50, p90, mv, f::jsonb, c
     FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::text[], ?::timestamptz[], ?::float8[], ?::float8[], ?::float8[], ?::text[], ?::text[], ?::bool[])
       AS x(t, s, l, r, d, p, pl, p50, p90, mv, f, c)`,
    bindings: [
      rows.map((r) => r.tenant), rows.map((r) => r.shipmentId), rows.map((r) => r.legSeq), rows.map((r) => r.reportId),
      rows.map((r) => r.deviceId), rows.map((r) => new Date(r.predictedAt).toISOString()), rows.map((r) => r.pLate),
      rows.map((r) => r.delayP50Min), rows.map((r) => r.delayP90Min), rows.map((r) => r.modelVersion),
      rows.map((r) => JSON.stringify(r.features)), rows.map((r) => r.changedAlert),
    ] as unknown as Knex.RawBinding[],
  };
}
