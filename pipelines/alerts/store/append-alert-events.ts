import type { Knex } from 'knex';
import { runStatement, together, withQueries, type SqlStatement } from '../../../core/store/sql-statement';
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

export interface AppendedEvents {
  events: AppendedEvent[];
  /** One pending webhook delivery per event and active webhook of its tenant. */
  deliveryIds: number[];
}

/**
 * Appends changes to the audit log, which is also the SSE event log, with a pending webhook
 * delivery per event and active webhook, in one statement (one round trip). A per-tenant
 * transaction lock is taken first (tenants in sorted order, so no two writers deadlock): within a
 * tenant, sequence numbers are then handed out and committed in the same order, and a client
 * resuming after event N can never later find an event below N that it skipped.
 *
 * `alongside`: statements without a WITH clause of their own (a batch's predictions, say) run in
 * the same statement, so they cost no round trip of their own; they run even with no change.
 */
export async function appendAlertEvents(trx: Knex.Transaction, changes: AlertChange[], alongside: SqlStatement[] = []): Promise<AppendedEvents> {
  if (changes.length === 0) {
    const rest = together(alongside);
    if (rest) await runStatement(trx, rest);
    return { events: [], deliveryIds: [] };
  }
  const tenants = [...new Set(changes.map((c) => c.row.tenant))].sort();
  const alerts = changes.map((c) => toAlert(c.row));
  const statement = withQueries(
    [
      // Joined to every event row below, so the locks are held before the first sequence number is drawn.
      ['locked', { sql: `SELECT count(pg_advisory_xact_lock(hashtext('flowcast:alert-events'), hashtext(t))) AS n FROM unnest(?::text[]) AS t`, bindings: [tenants] }],
      ['appended', {
        sql: `INSERT INTO alert_events (tenant, alert_id, action, from_state, to_state, actor, reason, alert)
         SELECT e.* FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::jsonb[]) AS e CROSS JOIN locked
         RETURNING seq, at, tenant, alert_id`,
        bindings: [
          changes.map((c) => c.row.tenant),
          changes.map((c) => c.row.id),
          changes.map((c) => c.action),
          changes.map((c) => c.fromState),
          changes.map((c) => c.row.state),
          changes.map((c) => c.actor),
          changes.map((c) => c.reason),
          alerts.map((a) => JSON.stringify(a)),
        ] as unknown as Knex.RawBinding[],
      }],
      ['delivered', {
        sql: `INSERT INTO webhook_deliveries (tenant, webhook_id, event_seq, alert_id)
         SELECT a.tenant, w.id, a.seq, a.alert_id FROM appended a JOIN webhooks w ON w.tenant = a.tenant AND w.active
         ON CONFLICT (webhook_id, event_seq) DO NOTHING
         RETURNING id`,
        bindings: [],
      }],
      ...alongside.map((s, i): [string, SqlStatement] => [`alongside_${i + 1}`, s]),
    ],
    { sql: `SELECT seq, at, alert_id, NULL::bigint AS delivery_id FROM appended UNION ALL SELECT NULL, NULL, NULL, id FROM delivered`, bindings: [] },
  );
  const rows = (await runStatement(trx, statement)).rows as { seq: number | null; at: Date | null; alert_id: number | null; delivery_id: number | null }[];
  // Sequence numbers are drawn in input order, so the i-th smallest is the i-th change's; checked
  // against the alert each row was written for, so a plan that drew them otherwise fails loudly.
  const appended = rows.filter((r) => r.seq !== null).sort((a, b) => a.seq! - b.seq!);
  appended.forEach((r, i) => {
    if (String(r.alert_id) !== String(changes[i]!.row.id)) throw new Error('alert events were numbered out of the order of their changes');
  });
  return {
    events: appended.map((r, i) => ({
      tenant: changes[i]!.row.tenant,
      event: {
        eventId: String(r.seq),
        action: changes[i]!.action,
        actor: changes[i]!.actor,
        reason: changes[i]!.reason,
        at: r.at!.toISOString(),
        alert: alerts[i]!,
      },
    })),
    deliveryIds: rows.filter((r) => r.delivery_id !== null).map((r) => r.delivery_id!),
  };
}
