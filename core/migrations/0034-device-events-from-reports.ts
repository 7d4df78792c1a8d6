import type { Knex } from 'knex';

/**
 * Device features are read from `reports` itself instead of a second copy of every report in
 * feature_events, whose append was the largest write the feature hook made per report
 * (docs/FEATURES.md, "Devices"). A device's time range is one range of the reordered primary key
 * (tenant, device_id, ts, report_id): the same columns, so the same uniqueness. The report
 * signals device features read get columns of their own (written by ingest's COPY), and
 * `in_features` marks the reports rolling features count: false for a report later than the
 * allowed lateness, set by the feature hook in the report's own transaction. The key includes
 * those columns, so a read of vacuumed pages is an index-only scan; partitions are vacuumed every
 * million reports (core/store/ensure-report-partitions.ts).
 *
 * For the history already stored, a report counts if feature_events holds its event; the others
 * were dropped late, stored before migration 0031 (whose device features stay in the tile rows of
 * then), or older than what `flowcast features prune` kept (reads before that are refused
 * anyway). Stop every process running older code first (ingest, importers, API, scoring,
 * training): old code reads feature_events, and new code writes columns only this adds.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw(`ALTER TABLE reports ADD COLUMN speed_kph double precision, ADD COLUMN battery_pct double precision,
                ADD COLUMN in_features boolean NOT NULL DEFAULT true`);
  await db.raw(`
    UPDATE reports r SET
      speed_kph = (r.body -> 'location' ->> 'speedKph')::float8,
      battery_pct = (r.body -> 'metrics' ->> 'battery_pct')::float8,
      in_features = EXISTS (SELECT 1 FROM feature_events e
                            WHERE e.tenant = r.tenant AND e.entity_type = 'device' AND e.entity_id = r.device_id
                              AND e.ts = floor(extract(epoch FROM r.ts) * 1000)::bigint)`);
  await db.raw('DROP TABLE feature_events');
  await db.raw('ALTER TABLE reports DROP CONSTRAINT reports_pkey, ADD PRIMARY KEY (tenant, device_id, ts, report_id) INCLUDE (speed_kph, battery_pct, in_features)');
  // Partitions made from now on get this from ensureReportPartitions.
  for (const partition of await reportPartitions(db)) {
    await db.raw('ALTER TABLE ?? SET (autovacuum_vacuum_insert_threshold = 1000000, autovacuum_vacuum_insert_scale_factor = 0)', [partition]);
  }
}

async function reportPartitions(db: Knex): Promise<string[]> {
  const rows = (await db.raw("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'reports'::regclass")).rows;
  return rows.map((r: { relname: string }) => r.relname);
}

export async function down(db: Knex): Promise<void> {
  for (const partition of await reportPartitions(db)) {
    await db.raw('ALTER TABLE ?? RESET (autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor)', [partition]);
  }
  await db.raw('ALTER TABLE reports DROP CONSTRAINT reports_pkey, ADD PRIMARY KEY (tenant, device_id, report_id, ts)');
  // feature_events as 0031 and 0032 made it, holding the events of the reports features count.
  await db.raw(`
    CREATE TABLE feature_events (
      tenant      text NOT NULL,
      entity_type text NOT NULL,
      entity_id   text NOT NULL,
      ts          bigint NOT NULL,
      v           double precision[] NOT NULL
    )`);
  await db.raw(`
    INSERT INTO feature_events (tenant, entity_type, entity_id, ts, v)
    SELECT tenant, 'device', device_id, floor(extract(epoch FROM ts) * 1000)::bigint, ARRAY[1, speed_kph, battery_pct]
    FROM reports WHERE in_features ORDER BY ts`);
  await db.raw('CREATE INDEX feature_events_entity_ts ON feature_events (tenant, entity_type, entity_id, ts)');
  await db.raw('CREATE INDEX feature_events_ts_brin ON feature_events USING brin (ts)');
  await db.raw('ALTER TABLE reports DROP COLUMN speed_kph, DROP COLUMN battery_pct, DROP COLUMN in_features');
}
