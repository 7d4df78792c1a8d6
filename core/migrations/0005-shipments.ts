import type { Knex } from 'knex';

// Shipments and their legs with planned times: the delay of a departed/arrived event is its
// event time minus the planned time of the leg at that hub (features), and the delay model
// (issue 4) learns per leg. Importers of history write the same tables.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE shipments (
      tenant      text NOT NULL,
      shipment_id text NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant, shipment_id)
    )`);
  await db.raw(`
    CREATE TABLE shipment_legs (
      tenant            text NOT NULL,
      shipment_id       text NOT NULL,
      seq               integer NOT NULL CHECK (seq >= 0),
      mode              text NOT NULL CHECK (mode IN ('road', 'rail', 'air', 'sea')),
      from_hub          text NOT NULL,
      to_hub            text NOT NULL,
      planned_departure timestamptz NOT NULL,
      planned_arrival   timestamptz NOT NULL,
      carrier           text,
      PRIMARY KEY (tenant, shipment_id, seq),
      FOREIGN KEY (tenant, shipment_id) REFERENCES shipments (tenant, shipment_id) ON DELETE CASCADE,
      CHECK (planned_arrival >= planned_departure)
    )`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE shipment_legs');
  await db.raw('DROP TABLE shipments');
}
