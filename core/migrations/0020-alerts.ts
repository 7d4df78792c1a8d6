import type { Knex } from 'knex';

// Alerts and their audit log. One open (or acknowledged) alert per tenant and dedupe key
// (kind + subject + rule key): a partial unique index makes "fire once" a property of the table.
// alert_events is every change, in order; its seq is also the SSE event id (Last-Event-ID), so
// within a tenant events are written under a per-tenant advisory lock and commit in seq order.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE alerts (
      id               bigserial PRIMARY KEY,
      tenant           text NOT NULL,
      kind             text NOT NULL,
      subject_type     text NOT NULL CHECK (subject_type IN ('shipment', 'device', 'zone')),
      subject_id       text NOT NULL,
      rule_key         text NOT NULL DEFAULT '',
      dedupe_key       text NOT NULL,
      state            text NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
      severity         text NOT NULL DEFAULT 'warning' CHECK (severity IN ('info', 'warning', 'critical')),
      message          text NOT NULL,
      details          jsonb NOT NULL DEFAULT '{}',
      device_id        text,
      location         jsonb,
      triggered_at     timestamptz NOT NULL,
      opened_at        timestamptz NOT NULL DEFAULT now(),
      acknowledged_at  timestamptz,
      acknowledged_by  text,
      resolved_at      timestamptz,
      resolved_by      text,
      resolve_reason   text,
      updated_at       timestamptz NOT NULL DEFAULT now()
    )`);
  await db.raw(`CREATE UNIQUE INDEX alerts_one_open ON alerts (tenant, dedupe_key) WHERE state <> 'resolved'`);
  await db.raw(`CREATE INDEX alerts_by_tenant ON alerts (tenant, id DESC)`);
  await db.raw(`CREATE INDEX alerts_by_subject ON alerts (tenant, subject_type, subject_id) WHERE state <> 'resolved'`);
  await db.raw(`
    CREATE TABLE alert_events (
      seq        bigserial PRIMARY KEY,
      tenant     text NOT NULL,
      alert_id   bigint NOT NULL REFERENCES alerts (id),
      action     text NOT NULL CHECK (action IN ('opened', 'acknowledged', 'resolved')),
      from_state text,
      to_state   text NOT NULL,
      actor      text NOT NULL,
      reason     text,
      at         timestamptz NOT NULL DEFAULT now(),
      alert      jsonb NOT NULL
    )`);
  await db.raw(`CREATE INDEX alert_events_by_tenant ON alert_events (tenant, seq)`);
  await db.raw(`CREATE INDEX alert_events_by_alert ON alert_events (alert_id, seq)`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE alert_events');
  await db.raw('DROP TABLE alerts');
}
