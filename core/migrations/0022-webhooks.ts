import type { Knex } from 'knex';

// Webhook endpoints per tenant and one delivery row per (webhook, alert event): the row is
// written in the same transaction as the event, so a crash between commit and enqueue loses
// nothing (pending rows are enqueued again), and its state shows delivered or failed.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE webhooks (
      id         bigserial PRIMARY KEY,
      tenant     text NOT NULL,
      url        text NOT NULL,
      secret     text NOT NULL,
      active     boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await db.raw(`CREATE INDEX webhooks_by_tenant ON webhooks (tenant) WHERE active`);
  await db.raw(`
    CREATE TABLE webhook_deliveries (
      id          bigserial PRIMARY KEY,
      tenant      text NOT NULL,
      webhook_id  bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
      event_seq   bigint NOT NULL REFERENCES alert_events (seq),
      alert_id    bigint NOT NULL,
      state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
      attempts    integer NOT NULL DEFAULT 0,
      last_status integer,
      last_error  text,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now(),
      UNIQUE (webhook_id, event_seq)
    )`);
  await db.raw(`CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (created_at) WHERE state = 'pending'`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE webhook_deliveries');
  await db.raw('DROP TABLE webhooks');
}
