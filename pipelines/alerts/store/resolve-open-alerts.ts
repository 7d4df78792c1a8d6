import type { Knex } from 'knex';
import type { AlertRow } from '../alert-row';

export interface ResolveByKey {
  tenant: string;
  dedupeKey: string;
  reason: string;
}

export type ResolvedRow = AlertRow & { from_state: AlertRow['state'] };

/** Resolves the open (or acknowledged) alert of each key, if any; returns those it resolved. */
export async function resolveOpenAlerts(db: Knex, keys: ResolveByKey[], actor: string): Promise<ResolvedRow[]> {
  if (keys.length === 0) return [];
  const result = await db.raw(
    `WITH wanted AS (
       SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) AS w(tenant, dedupe_key, reason)
     ), target AS (
       SELECT a.id, a.state AS from_state, w.reason FROM alerts a
       JOIN wanted w ON a.tenant = w.tenant AND a.dedupe_key = w.dedupe_key
       WHERE a.state <> 'resolved'
       ORDER BY a.id
       FOR UPDATE OF a
     )
     UPDATE alerts a SET state = 'resolved', resolved_at = now(), resolved_by = ?, resolve_reason = target.reason, updated_at = now()
     FROM target WHERE a.id = target.id
     RETURNING a.*, target.from_state`,
    [keys.map((k) => k.tenant), keys.map((k) => k.dedupeKey), keys.map((k) => k.reason), actor] as unknown as Knex.RawBinding[],
  );
  return result.rows as ResolvedRow[];
}
