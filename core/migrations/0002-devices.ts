import type { Knex } from 'knex';

// Every report rewrites its device's row; free space in each page keeps those updates HOT.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE devices (
      tenant           text NOT NULL,
      device_id        text NOT NULL,
      first_seen       timestamptz NOT NULL,
      last_seen        timestamptz NOT NULL,
      last_report_id   text NOT NULL,
      last_lat         double precision,
      last_lon         double precision,
      last_location_ts timestamptz,
      reports          bigint NOT NULL DEFAULT 0,
      updated_at       timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant, device_id)
    ) WITH (fillfactor = 70)`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE devices');
}
