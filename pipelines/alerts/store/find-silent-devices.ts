import type { Knex } from 'knex';

export interface SilentDevice {
  tenant: string;
  deviceId: string;
  lastSeen: Date;
  lastLat: number | null;
  lastLon: number | null;
  lastLocationTs: Date | null;
  silentMinutes: number;
}

/**
 * Devices whose last report (event time) is older than their tenant's `deviceSilentMinutes`
 * (or `defaultMinutes`) and that have no unresolved silence alert yet.
 */
export async function findSilentDevices(db: Knex, defaultMinutes: number, now: Date, limit: number): Promise<SilentDevice[]> {
  const rows = (
    await db.raw(
      `SELECT d.tenant, d.device_id, d.last_seen, d.last_lat, d.last_lon, d.last_location_ts,
              coalesce((r.config->>'deviceSilentMinutes')::float8, ?) AS minutes
       FROM devices d LEFT JOIN alert_rules r ON r.tenant = d.tenant
       WHERE d.last_seen < ?::timestamptz - make_interval(secs => 60 * coalesce((r.config->>'deviceSilentMinutes')::float8, ?))
         AND NOT EXISTS (
           SELECT 1 FROM alerts a
           WHERE a.tenant = d.tenant AND a.dedupe_key = 'device_silent|device|' || d.device_id || '|' AND a.state <> 'resolved')
       ORDER BY d.last_seen
       LIMIT ?`,
      [defaultMinutes, now.toISOString(), defaultMinutes, limit],
    )
  ).rows as { tenant: string; device_id: string; last_seen: Date; last_lat: number | null; last_lon: number | null; last_location_ts: Date | null; minutes: number }[];
  return rows.map((r) => ({
    tenant: r.tenant, deviceId: r.device_id, lastSeen: r.last_seen, lastLat: r.last_lat, lastLon: r.last_lon,
    lastLocationTs: r.last_location_ts, silentMinutes: r.minutes,
  }));
}
