import type { Knex } from 'knex';

export interface WebhookRecord {
  id: string;
  tenant: string;
  url: string;
  active: boolean;
  createdAt: string;
}

/** Registers a receiver URL for a tenant's alert events, signed with `secret`. */
export async function createWebhook(db: Knex, tenant: string, url: string, secret: string): Promise<WebhookRecord> {
  const row = (await db.raw(`INSERT INTO webhooks (tenant, url, secret) VALUES (?, ?, ?) RETURNING id, tenant, url, active, created_at`, [tenant, url, secret]))
    .rows[0] as { id: number; tenant: string; url: string; active: boolean; created_at: Date };
  return { id: String(row.id), tenant: row.tenant, url: row.url, active: row.active, createdAt: row.created_at.toISOString() };
}
