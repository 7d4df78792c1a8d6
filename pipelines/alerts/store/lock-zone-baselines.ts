import type { Knex } from 'knex';
import type { EwmaBaseline } from '../rules/ewma-baseline';

export interface ZoneSignalKey {
  tenant: string;
  zone: string;
  signal: string;
}

export const zoneSignalKey = (k: ZoneSignalKey): string => `${k.tenant}\u0000${k.zone}\u0000${k.signal}`;

/**
 * Reads the baselines of the given zone signals and locks their rows until the transaction
 * ends, so two consumers folding reports of one zone take turns instead of losing updates.
 */
export async function lockZoneBaselines(trx: Knex.Transaction, keys: ZoneSignalKey[]): Promise<Map<string, EwmaBaseline>> {
  const out = new Map<string, EwmaBaseline>();
  if (keys.length === 0) return out;
  const rows = (
    await trx.raw(
      `SELECT b.tenant, b.zone, b.signal, b.mean, b.variance, b.samples
       FROM zone_baselines b JOIN unnest(?::text[], ?::text[], ?::text[]) AS k(tenant, zone, signal) USING (tenant, zone, signal)
       ORDER BY b.tenant, b.zone, b.signal FOR UPDATE OF b`,
      [keys.map((k) => k.tenant), keys.map((k) => k.zone), keys.map((k) => k.signal)] as unknown as Knex.RawBinding[],
    )
  ).rows as (ZoneSignalKey & EwmaBaseline)[];
  for (const r of rows) out.set(zoneSignalKey(r), { mean: r.mean, variance: r.variance, samples: Number(r.samples) });
  return out;
}
