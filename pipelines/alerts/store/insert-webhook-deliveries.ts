import type { Knex } from 'knex';
import type { AppendedEvent } from './append-alert-events';

/** One pending delivery per active webhook of the event's tenant; returns the delivery ids. */
export async function insertWebhookDeliveries(trx: Knex, events: AppendedEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  const result = await trx.raw(
    `INSERT INTO webhook_deliveries (tenant, webhook_id, event_seq, alert_id)
     SELECT e.tenant, w.id, e.seq, e.alert_id
     FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS e(tenant, seq, alert_id)
     JOIN webhooks w ON w.tenant = e.tenant AND w.active
     ON CONFLICT (webhook_id, event_seq) DO NOTHING
     RETURNING id`,
    [events.map((e) => e.tenant), events.map((e) => e.event.eventId), events.map((e) => e.event.alert.id)] as unknown as Knex.RawBinding[],
  );
  return (result.rows as { id: number }[]).map((r) => r.id);
}
