import type { Knex } from 'knex';

// Reports are partitioned by day of event time. Postgres requires the partition key in every
// unique constraint, so the idempotency key carries ts too: a producer's resend repeats the
// whole report, event time included. The body is json, not jsonb: stored as sent, a third
// cheaper to insert, and still queryable with the json operators.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE reports (
      tenant      text NOT NULL,
      device_id   text NOT NULL,
      report_id   text NOT NULL,
      ts          timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      lat         double precision,
      lon         double precision,
      shipment_id text,
      hub         text,
      event_code  text,
      body        json NOT NULL,
      PRIMARY KEY (tenant, device_id, report_id, ts)
    ) PARTITION BY RANGE (ts)`);
  await db.raw(`CREATE INDEX reports_shipment_idx ON reports (tenant, shipment_id, ts) WHERE shipment_id IS NOT NULL`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE reports');
}
