import type { Knex } from 'knex';
import type { AlertEvent } from '../alert';

export interface DeliveryToSend {
  id: number;
  tenant: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  url: string;
  secret: string;
  event: AlertEvent;
}

/** A delivery with its webhook and the event it carries (as the event log stored it). */
export async function findDelivery(db: Knex, id: number): Promise<DeliveryToSend | undefined> {
  const row = (
    await db.raw(
      `SELECT d.id, d.tenant, d.state, d.attempts, w.url, w.secret,
              e.seq, e.action, e.actor, e.reason, e.at, e.alert
       FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN alert_events e ON e.seq = d.event_seq
       WHERE d.id = ?`,
      [id],
    )
  ).rows[0] as (Omit<DeliveryToSend, 'event'> & { seq: number; action: AlertEvent['action']; actor: string; reason: string | null; at: Date; alert: AlertEvent['alert'] }) | undefined;
  if (!row) return undefined;
  return {
    id: row.id, tenant: row.tenant, state: row.state, attempts: row.attempts, url: row.url, secret: row.secret,
    event: { eventId: String(row.seq), action: row.action, actor: row.actor, reason: row.reason, at: row.at.toISOString(), alert: row.alert },
  };
}
