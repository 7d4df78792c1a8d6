import type { Knex } from 'knex';
import { runStatement, type SqlStatement } from '../../../core/store/sql-statement';
import type { AlertRow } from '../alert-row';

export interface ResolveByKey {
  tenant: string;
  dedupeKey: string;
  reason: string;
}

export type ResolvedRow = AlertRow & { from_state: AlertRow['state'] };

/**
 * Resolves the open (or acknowledged) alert of each key (at least one), if any, taking the row
 * locks in id order; returns (RETURNING) those it resolved with their state before.
 */
export function resolveOpenAlertsStatement(keys: ResolveByKey[], actor: string): SqlStatement {
  return {
    sql: `UPDATE alerts a SET state = 'resolved', resolved_at = now(), resolved_by = ?, resolve_reason = target.reason, updated_at = now()
     FROM (
       SELECT x.id, x.state AS from_state, w.reason FROM alerts x
       JOIN unnest(?::text[], ?::text[], ?::text[]) AS w(tenant, dedupe_key, reason) ON x.tenant = w.tenant AND x.dedupe_key = w.dedupe_key
       WHERE x.state <> 'resolved'
       ORDER BY x.id
       FOR UPDATE OF x
     ) target
     WHERE a.id = target.id
     RETURNING a.*, target.from_state`,
    bindings: [actor, keys.map((k) => k.tenant), keys.map((k) => k.dedupeKey), keys.map((k) => k.reason)] as unknown as Knex.RawBinding[],
  };
}

export async function resolveOpenAlerts(db: Knex, keys: ResolveByKey[], actor: string): Promise<ResolvedRow[]> {
  if (keys.length === 0) return [];
  return (await runStatement(db, resolveOpenAlertsStatement(keys, actor))).rows as ResolvedRow[];
}
