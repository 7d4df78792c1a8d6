import type { Knex } from 'knex';
import { runStatement, withQueries } from '../../../core/store/sql-statement';
import type { AlertRow } from '../alert-row';
import type { Condition } from '../condition';
import { openAlertsStatement } from './open-alerts';
import { resolveOpenAlerts, resolveOpenAlertsStatement, type ResolveByKey, type ResolvedRow } from './resolve-open-alerts';

/**
 * Opens alerts for `toOpen` and resolves the open ones of `toResolve` in one statement, one round
 * trip. No key may be in both: the two parts see the same snapshot, so a resolve would miss the
 * alert opened beside it (resolve such keys afterwards, with resolveOpenAlerts).
 */
export async function openAndResolveAlerts(db: Knex, toOpen: Condition[], toResolve: ResolveByKey[], actor: string): Promise<{ opened: AlertRow[]; resolved: ResolvedRow[] }> {
  if (toOpen.length === 0) return { opened: [], resolved: await resolveOpenAlerts(db, toResolve, actor) };
  const open = openAlertsStatement(toOpen);
  const statement = toResolve.length === 0
    ? open
    : withQueries([['opened', open], ['resolved', resolveOpenAlertsStatement(toResolve, actor)]], {
      sql: `SELECT o.*, NULL::text AS from_state FROM opened o UNION ALL SELECT * FROM resolved`,
      bindings: [],
    });
  const rows = (await runStatement(db, statement)).rows as ResolvedRow[];
  // Opened rows are 'open', resolved ones 'resolved'.
  return { opened: rows.filter((r) => r.state === 'open'), resolved: rows.filter((r) => r.state === 'resolved') };
}
