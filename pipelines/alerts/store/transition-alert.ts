import type { Knex } from 'knex';
import type { AlertRow } from '../alert-row';
import type { ResolvedRow } from './resolve-open-alerts';

export type Transition = 'acknowledge' | 'resolve';

/**
 * Acknowledges or resolves one alert of one tenant on behalf of a person. Only an open alert
 * can be acknowledged and only an unresolved one resolved; anything else returns the row as it
 * is (changed: false), so the caller can explain. Undefined when the tenant has no such alert.
 */
export async function transitionAlert(
  db: Knex, tenant: string, id: string, transition: Transition, actor: string, reason: string | null,
): Promise<{ row: AlertRow; changed: boolean; fromState: AlertRow['state'] } | undefined> {
  const current = (await db.raw(`SELECT * FROM alerts WHERE tenant = ? AND id = ? FOR UPDATE`, [tenant, id])).rows[0] as AlertRow | undefined;
  if (!current) return undefined;
  const allowed = transition === 'acknowledge' ? current.state === 'open' : current.state !== 'resolved';
  if (!allowed) return { row: current, changed: false, fromState: current.state };
  const sql =
    transition === 'acknowledge'
      ? `UPDATE alerts SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = ?, updated_at = now() WHERE id = ? RETURNING *`
      : `UPDATE alerts SET state = 'resolved', resolved_at = now(), resolved_by = ?, resolve_reason = ?, updated_at = now() WHERE id = ? RETURNING *`;
  const bindings = transition === 'acknowledge' ? [actor, id] : [actor, reason ?? 'resolved by hand', id];
  const row = (await db.raw(sql, bindings)).rows[0] as ResolvedRow;
  return { row, changed: true, fromState: current.state };
}
