import type { Knex } from 'knex';

export interface DeliveryStatus {
  id: string;
  webhookId: string;
  eventId: string;
  alertId: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  updatedAt: string;
}

/** A tenant's webhook deliveries, newest first (failed ones are how a given-up delivery shows). */
export async function listWebhookDeliveries(db: Knex, tenant: string, state: DeliveryStatus['state'] | undefined, limit: number): Promise<DeliveryStatus[]> {
  const q = db('webhook_deliveries').where({ tenant }).orderBy('id', 'desc').limit(limit);
  if (state) q.where({ state });
  const rows = (await q) as { id: number; webhook_id: number; event_seq: number; alert_id: number; state: DeliveryStatus['state']; attempts: number; last_status: number | null; last_error: string | null; updated_at: Date }[];
  return rows.map((r) => ({
    id: String(r.id), webhookId: String(r.webhook_id), eventId: String(r.event_seq), alertId: String(r.alert_id), state: r.state,
    attempts: r.attempts, lastStatus: r.last_status, lastError: r.last_error, updatedAt: r.updated_at.toISOString(),
  }));
}
