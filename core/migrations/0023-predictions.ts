import type { Knex } from 'knex';

// Stored delay predictions (a sample, plus every one that changed an alert) and the latest
// known state of each shipment as the scoring consumer sees it (position, arrival, last P(late)).
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE predictions (
      id             bigserial PRIMARY KEY,
      tenant         text NOT NULL,
      shipment_id    text NOT NULL,
      leg_seq        integer NOT NULL,
      report_id      text,
      device_id      text,
      predicted_at   timestamptz NOT NULL,
      p_late         double precision NOT NULL,
      delay_p50_min  double precision,
      delay_p90_min  double precision,
      model_version  text NOT NULL,
      features       jsonb NOT NULL DEFAULT '{}',
      changed_alert  boolean NOT NULL DEFAULT false
    )`);
  await db.raw(`CREATE INDEX predictions_by_shipment ON predictions (tenant, shipment_id, predicted_at DESC)`);
  await db.raw(`
    CREATE TABLE shipment_status (
      tenant          text NOT NULL,
      shipment_id     text NOT NULL,
      last_report_ts  timestamptz NOT NULL,
      last_device_id  text,
      last_lat        double precision,
      last_lon        double precision,
      last_location_ts timestamptz,
      current_leg_seq integer,
      arrived_at      timestamptz,
      p_late          double precision,
      delay_p50_min   double precision,
      delay_p90_min   double precision,
      model_version   text,
      predicted_at    timestamptz,
      PRIMARY KEY (tenant, shipment_id)
    ) WITH (fillfactor = 70)`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE shipment_status');
  await db.raw('DROP TABLE predictions');
}
