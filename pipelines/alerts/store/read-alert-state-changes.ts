import type { Knex } from 'knex';
import type { AlertState } from '../alert';

export interface AlertStateChange {
  tenant: string;
  seq: number;
  dedupeKey: string;
  toState: AlertState;
}

/** Each tenant's alert events after its `afterSeq`, in log order, with the dedupe key of their alert. */
export async function readAlertStateChanges(db: Knex, after: { tenant: string; afterSeq: number }[]): Promise<AlertStateChange[]> {
  if (after.length === 0) return [];
  const result = await db.raw(
    `SELECT e.tenant, e.seq, a.dedupe_key, e.to_state
     FROM unnest(?::text[], ?::bigint[]) AS m(tenant, after_seq)
     JOIN alert_events e ON e.tenant = m.tenant AND e.seq > m.after_seq
     JOIN alerts a ON a.id = e.alert_id
     ORDER BY e.seq`,
    [after.map((a) => a.tenant), after.map((a) => a.afterSeq)] as unknown as Knex.RawBinding[],
  );
  return (result.rows as { tenant: string; seq: number; dedupe_key: string; to_state: AlertState }[]).map((r) => ({
    tenant: r.tenant, seq: r.seq, dedupeKey: r.dedupe_key, toState: r.to_state,
  }));
}
