import type { Knex } from 'knex';
import type { AlertLocation } from '../alert';

/** The last known position of each device (from `devices`), keyed `tenant\0deviceId`. */
export async function findDeviceLocations(db: Knex, devices: { tenant: string; deviceId: string }[]): Promise<Map<string, AlertLocation>> {
  const out = new Map<string, AlertLocation>();
  if (devices.length === 0) return out;
  const rows = (
    await db.raw(
      `SELECT d.tenant, d.device_id, d.last_lat, d.last_lon, d.last_location_ts FROM devices d
       JOIN unnest(?::text[], ?::text[]) AS k(tenant, device_id) USING (tenant, device_id)
       WHERE d.last_lat IS NOT NULL`,
      [devices.map((d) => d.tenant), devices.map((d) => d.deviceId)] as unknown as Knex.RawBinding[],
    )
  ).rows as { tenant: string; device_id: string; last_lat: number; last_lon: number; last_location_ts: Date | null }[];
  for (const r of rows) out.set(`${r.tenant}\u0000${r.device_id}`, { lat: r.last_lat, lon: r.last_lon, ts: r.last_location_ts?.toISOString() ?? null });
  return out;
}
