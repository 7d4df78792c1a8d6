import type { Knex } from 'knex';

export interface TenantOpenAlerts {
  tenant: string;
  /** The tenant's newest alert event: the log is read on from after it. */
  lastSeq: number;
  /** Dedupe keys of the tenant's alerts not yet resolved (open or acknowledged). */
  openKeys: string[];
}

/**
 * Each tenant's unresolved alerts with its newest event, in one statement, so the two agree:
 * an alert and its events are written in one transaction.
 */
export async function loadOpenAlertKeys(db: Knex, tenants: string[]): Promise<TenantOpenAlerts[]> {
  if (tenants.length === 0) return [];
  const result = await db.raw(
    `SELECT t.tenant,
            coalesce((SELECT max(e.seq) FROM alert_events e WHERE e.tenant = t.tenant), 0) AS last_seq,
            coalesce((SELECT array_agg(a.dedupe_key) FROM alerts a WHERE a.tenant = t.tenant AND a.state <> 'resolved'), '{}') AS open_keys
     FROM unnest(?::text[]) AS t(tenant)`,
    [tenants] as unknown as Knex.RawBinding[],
  );
  return (result.rows as { tenant: string; last_seq: number; open_keys: string[] }[]).map((r) => ({ tenant: r.tenant, lastSeq: r.last_seq, openKeys: r.open_keys }));
}
