import type { Knex } from 'knex';

export interface RecentPrediction {
  pLate: number;
  features: Record<string, number | null>;
}

/** The newest predictions of one model version in [from, to), at most `limit`. */
export async function recentPredictions(db: Knex, version: string, from: Date, to: Date, limit = 50_000): Promise<RecentPrediction[]> {
  const rows = (await db('predictions')
    .where({ model_version: version }).where('predicted_at', '>=', from).where('predicted_at', '<', to)
    .orderBy('predicted_at', 'desc').limit(limit)
    .select('p_late', 'features')) as { p_late: number; features: Record<string, number | null> }[];
  return rows.map((r) => ({ pLate: r.p_late, features: r.features ?? {} }));
}

/**
 * Predicted legs whose real arrival is known and fell in [from, to): each leg's last prediction
 * made before it arrived, with the outcome (late = more than `lateThresholdMin` after plan).
 */
export async function predictedOutcomes(
  db: Knex, version: string, from: Date, to: Date, lateThresholdMin: number,
): Promise<{ pLate: number; late: number }[]> {
  const rows = (await db.raw(
    `SELECT DISTINCT ON (p.tenant, p.shipment_id, p.leg_seq)
            p.p_late,
            (o.arrived_at > l.planned_arrival + make_interval(mins => ?::int))::int AS late
     FROM predictions p
     JOIN leg_outcomes o ON o.tenant = p.tenant AND o.shipment_id = p.shipment_id AND o.seq = p.leg_seq
     JOIN shipment_legs l ON l.tenant = p.tenant AND l.shipment_id = p.shipment_id AND l.seq = p.leg_seq
     WHERE p.model_version = ? AND o.arrived_at >= ? AND o.arrived_at < ? AND p.predicted_at < o.arrived_at
     ORDER BY p.tenant, p.shipment_id, p.leg_seq, p.predicted_at DESC`,
    [Math.round(lateThresholdMin), version, from, to],
  )).rows as { p_late: number; late: number }[];
  return rows.map((r) => ({ pLate: r.p_late, late: r.late }));
}
