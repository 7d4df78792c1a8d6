import type { Knex } from 'knex';
import type { StoredReport } from './insert-reports';
import { joinArray, splitArray } from './joined-array';

interface DeviceUpdate {
  tenant: string;
  deviceId: string;
  firstSeen: number;
  lastSeen: number;
  lastReportId: string;
  lastLat: number | null;
  lastLon: number | null;
  lastLocationTs: number | null;
  reports: number;
}

/** Folds a batch into one update per device, so each device row is written once per batch. */
export function summariseDevices(rows: StoredReport[]): DeviceUpdate[] {
  const byDevice = new Map<string, DeviceUpdate>();
  for (const { tenant, report } of rows) {
    const key = `${tenant}\u0000${report.deviceId}`;
    const t = Date.parse(report.ts);
    let d = byDevice.get(key);
    if (!d) {
      d = { tenant, deviceId: report.deviceId, firstSeen: t, lastSeen: t, lastReportId: report.id, lastLat: null, lastLon: null, lastLocationTs: null, reports: 0 };
      byDevice.set(key, d);
    }
    d.reports += 1;
    d.firstSeen = Math.min(d.firstSeen, t);
    if (t >= d.lastSeen) {
      d.lastSeen = t;
      d.lastReportId = report.id;
    }
    if (report.location && (d.lastLocationTs === null || t >= d.lastLocationTs)) {
      d.lastLat = report.location.lat;
      d.lastLon = report.location.lon;
      d.lastLocationTs = t;
    }
  }
  return [...byDevice.values()];
}

/**
 * The order every consumer locks device rows in: by tenant, then device. (Comparing the two
 * concatenated was ambiguous, tenant `a` device `bc` against tenant `ab` device `c`, so two
 * consumers could sort such rows differently and deadlock.)
 */
export function byTenantThenDevice(a: DeviceUpdate, b: DeviceUpdate): number {
  if (a.tenant !== b.tenant) return a.tenant < b.tenant ? -1 : 1;
  return a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0;
}

/**
 * Keeps `devices` current: last seen and last position move only forward in event time, so
 * late or replayed reports never move a device back.
 */
export async function upsertDevices(db: Knex, rows: StoredReport[]): Promise<void> {
  const updates = summariseDevices(rows);
  if (updates.length === 0) return;
  // One order of row locks keeps concurrent consumers from deadlocking each other: unnest reads
  // the arrays out in order, and the insert takes each row's lock as it reaches it.
  updates.sort(byTenantThenDevice);
  await db.raw(
    `INSERT INTO devices AS d (tenant, device_id, first_seen, last_seen, last_report_id, last_lat, last_lon, last_location_ts, reports)
     SELECT tenant, device_id, to_timestamp(first_seen / 1000.0), to_timestamp(last_seen / 1000.0), last_report_id, last_lat, last_lon,
            to_timestamp(last_location_ts / 1000.0), reports
     FROM unnest(?::text[], ?::text[], ${splitArray('?', 'float8')}, ${splitArray('?', 'float8')}, ?::text[], ${splitArray('?', 'float8')}, ${splitArray('?', 'float8')},
                 ${splitArray('?', 'float8')}, ${splitArray('?', 'bigint')})
          AS u(tenant, device_id, first_seen, last_seen, last_report_id, last_lat, last_lon, last_location_ts, reports)
     ON CONFLICT (tenant, device_id) DO UPDATE SET
       first_seen = LEAST(d.first_seen, EXCLUDED.first_seen),
       last_seen = GREATEST(d.last_seen, EXCLUDED.last_seen),
       last_report_id = CASE WHEN EXCLUDED.last_seen >= d.last_seen THEN EXCLUDED.last_report_id ELSE d.last_report_id END,
       last_lat = CASE WHEN EXCLUDED.last_location_ts >= coalesce(d.last_location_ts, '-infinity') THEN EXCLUDED.last_lat ELSE d.last_lat END,
       last_lon = CASE WHEN EXCLUDED.last_location_ts >= coalesce(d.last_location_ts, '-infinity') THEN EXCLUDED.last_lon ELSE d.last_lon END,
       last_location_ts = GREATEST(d.last_location_ts, EXCLUDED.last_location_ts),
       reports = d.reports + EXCLUDED.reports,
       updated_at = now()`,
    [
      updates.map((u) => u.tenant),
      updates.map((u) => u.deviceId),
      joinArray(updates.map((u) => u.firstSeen)),
      joinArray(updates.map((u) => u.lastSeen)),
      updates.map((u) => u.lastReportId),
      joinArray(updates.map((u) => u.lastLat)),
      joinArray(updates.map((u) => u.lastLon)),
      joinArray(updates.map((u) => u.lastLocationTs)),
      joinArray(updates.map((u) => u.reports)),
    ] as unknown as Knex.RawBinding[],
  );
}
