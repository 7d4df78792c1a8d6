import type { Knex } from 'knex';

// Per-tenant rule settings (validated JSON; defaults apply where a tenant has none) and the
// rolling per-zone baselines of the parcel-sorter anomaly rules (EWMA mean and variance).
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE alert_rules (
      tenant     text PRIMARY KEY,
      config     jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL
    )`);
  await db.raw(`
    CREATE TABLE zone_baselines (
      tenant     text NOT NULL,
      zone       text NOT NULL,
      signal     text NOT NULL,
      mean       double precision NOT NULL,
      variance   double precision NOT NULL,
      samples    bigint NOT NULL,
      last_ts    timestamptz NOT NULL,
      PRIMARY KEY (tenant, zone, signal)
    ) WITH (fillfactor = 70)`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE zone_baselines');
  await db.raw('DROP TABLE alert_rules');
}
