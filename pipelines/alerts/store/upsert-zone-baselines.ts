import type { Knex } from 'knex';
import type { EwmaBaseline } from '../rules/ewma-baseline';
import type { ZoneSignalKey } from './lock-zone-baselines';

export type ZoneBaselineUpdate = ZoneSignalKey & EwmaBaseline & { lastTs: number };

/** Writes the baselines after a batch (rows locked by lockZoneBaselines, or new ones). */
export async function upsertZoneBaselines(trx: Knex, updates: ZoneBaselineUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const sorted = [...updates].sort((a, b) => (a.tenant + a.zone + a.signal < b.tenant + b.zone + b.signal ? -1 : 1));
  await trx.raw(
    `INSERT INTO zone_baselines (tenant, zone, signal, mean, variance, samples, last_ts)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::float8[], ?::float8[], ?::bigint[], ?::timestamptz[])
     ON CONFLICT (tenant, zone, signal) DO UPDATE SET
       mean = EXCLUDED.mean, variance = EXCLUDED.variance, samples = EXCLUDED.samples, last_ts = GREATEST(zone_baselines.last_ts, EXCLUDED.last_ts)`,
    [
      sorted.map((u) => u.tenant), sorted.map((u) => u.zone), sorted.map((u) => u.signal), sorted.map((u) => u.mean),
      sorted.map((u) => u.variance), sorted.map((u) => u.samples), sorted.map((u) => new Date(u.lastTs).toISOString()),
    ] as unknown as Knex.RawBinding[],
  );
}
