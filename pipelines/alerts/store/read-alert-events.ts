import type { Knex } from 'knex';
import type { AlertEvent } from '../alert';

interface EventRow {
  seq: number;
  action: AlertEvent['action'];
  actor: string;
  reason: string | null;
  at: Date;
  alert: AlertEvent['alert'];
}

/** A tenant's events after `afterSeq`, oldest first. */
export async function readAlertEvents(db: Knex, tenant: string, afterSeq: number, limit: number): Promise<AlertEvent[]> {
  const rows = (
    await db.raw(`SELECT seq, action, actor, reason, at, alert FROM alert_events WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?`, [
      tenant, afterSeq, limit,
    ])
  ).rows as EventRow[];
  return rows.map((r) => ({ eventId: String(r.seq), action: r.action, actor: r.actor, reason: r.reason, at: r.at.toISOString(), alert: r.alert }));
}

/** The newest event id of a tenant (0 when none): where a stream without Last-Event-ID starts. */
export async function lastAlertEventSeq(db: Knex, tenant: string): Promise<number> {
  const row = (await db.raw(`SELECT coalesce(max(seq), 0) AS seq FROM alert_events WHERE tenant = ?`, [tenant])).rows[0] as { seq: number };
  return Number(row.seq);
}
