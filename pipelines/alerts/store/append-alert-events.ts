import type { Knex } from 'knex';
import type { AlertEvent } from '../alert';
import { toAlert, type AlertRow } from '../alert-row';

export interface AlertChange {
  row: AlertRow;
  action: AlertEvent['action'];
  fromState: AlertRow['state'] | null;
  actor: string;
  reason: string | null;
}

export interface AppendedEvent {
  tenant: string;
  event: AlertEvent;
}

/**
 * Appends changes to the audit log, which is also the SSE event log. A per-tenant transaction
 * lock is taken first (tenants in sorted order, so no two writers deadlock): within a tenant,
 * sequence numbers are then handed out and committed in the same order, and a client resuming
 * after event N can never later find an event below N that it skipped.
 */
export async function appendAlertEvents(trx: Knex.Transaction, changes: AlertChange[]): Promise<AppendedEvent[]> {
  if (changes.length === 0) return [];
  const tenants = [...new Set(changes.map((c) => c.row.tenant))].sort();
  for (const t of tenants) await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('flowcast:alert-events'), hashtext(?))`, [t]);
  const alerts = changes.map((c) => toAlert(c.row));
  const result = await trx.raw(
    `INSERT INTO alert_events (tenant, alert_id, action, from_state, to_state, actor, reason, alert)
     SELECT * FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::jsonb[])
     RETURNING seq, at`,
    [
      changes.map((c) => c.row.tenant),
      changes.map((c) => c.row.id),
      changes.map((c) => c.action),
      changes.map((c) => c.fromState),
      changes.map((c) => c.row.state),
      changes.map((c) => c.actor),
      changes.map((c) => c.reason),
      alerts.map((a) => JSON.stringify(a)),
    ] as unknown as Knex.RawBinding[],
  );
  // INSERT … SELECT FROM unnest returns rows in input order.
  return (result.rows as { seq: number; at: Date }[]).map((r, i) => ({
    tenant: changes[i]!.row.tenant,
    event: {
      eventId: String(r.seq),
      action: changes[i]!.action,
      actor: changes[i]!.actor,
      reason: changes[i]!.reason,
      at: r.at.toISOString(),
      alert: alerts[i]!,
    },
  }));
}
