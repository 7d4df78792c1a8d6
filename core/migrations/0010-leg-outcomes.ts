import type { Knex } from 'knex';

// What actually happened on a leg: the labels the delay model learns from and is judged on.
// Importers of history write them with the legs; live arrivals can fill them the same way.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE leg_outcomes (
      tenant      text NOT NULL,
      shipment_id text NOT NULL,
      seq         integer NOT NULL,
      departed_at timestamptz,
      arrived_at  timestamptz NOT NULL,
      PRIMARY KEY (tenant, shipment_id, seq),
      FOREIGN KEY (tenant, shipment_id, seq) REFERENCES shipment_legs (tenant, shipment_id, seq) ON DELETE CASCADE
    )`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE leg_outcomes');
}
