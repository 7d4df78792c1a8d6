import type { Knex } from 'knex';
import { compareTenantKeys } from '../../core/compare-tenant-keys';
import type { SqlStatement } from '../../core/store/sql-statement';
import { dedupeKeyOf } from './alert';
import type { Condition } from './condition';
import type { OpenAlertIndex } from './open-alert-index';
import { appendAlertEvents, type AlertChange, type AppendedEvents } from './store/append-alert-events';
import { openAndResolveAlerts } from './store/open-and-resolve-alerts';
import { resolveOpenAlerts, type ResolveByKey } from './store/resolve-open-alerts';

const tenantKey = (tenant: string, dedupeKey: string): string => `${tenant}\u0000${dedupeKey}`;

/** The events written, and the webhook deliveries written with them: enqueue those once the transaction commits. */
export type AppliedChanges = AppendedEvents;

export interface ApplyOptions {
  /** Caught up just before, in this transaction or outside it (under READ COMMITTED the same). */
  index?: OpenAlertIndex;
  /** Statements to run with the events, in the same round trip (appendAlertEvents), given the changes made. */
  alongside?: (changes: AlertChange[]) => SqlStatement[];
}

/**
 * Turns a batch's conditions into alert changes inside the caller's transaction. Per dedupe key,
 * in event-time order: if the condition held at any point an alert is opened (a no-op when one
 * is open), and if it no longer holds at the end the open alert is resolved — so a condition
 * that came and went within one batch still leaves its alert, opened and resolved.
 *
 * With `options.index`, keys it knows to be open are not opened again and keys it knows to have
 * no unresolved alert are not resolved: the database sees only the changes.
 */
export async function applyConditions(trx: Knex.Transaction, conditions: Condition[], actor: string, options: ApplyOptions = {}): Promise<AppliedChanges> {
  const changes = conditions.length === 0 ? [] : await changeAlerts(trx, planAlertChanges(conditions, options.index), actor);
  return appendAlertEvents(trx, changes, options.alongside?.(changes));
}

/**
 * Opens and resolves in one round trip, except keys opened and resolved in the same batch: those
 * are resolved by a second statement, which sees the alert the first one opened.
 */
async function changeAlerts(trx: Knex.Transaction, { toOpen, toResolve }: AlertChangePlan, actor: string): Promise<AlertChange[]> {
  // A stable order of row locks keeps concurrent consumers from deadlocking each other.
  toOpen.sort((a, b) => compareTenantKeys(a.condition.tenant, a.dedupeKey, b.condition.tenant, b.dedupeKey));
  const opening = new Set(toOpen.map((o) => tenantKey(o.condition.tenant, o.dedupeKey)));
  const resolvedAfterOpening = (r: ResolveByKey) => opening.has(tenantKey(r.tenant, r.dedupeKey));
  const resolveAfter = toResolve.filter(resolvedAfterOpening);
  const { opened, resolved } = await openAndResolveAlerts(
    trx, await Promise.all(toOpen.map((o) => withDetailsOnOpen(o.condition))), toResolve.filter((r) => !resolvedAfterOpening(r)), actor,
  );
  const resolvedAfter = await resolveOpenAlerts(trx, resolveAfter, actor);
  return [
    ...opened.map((row) => ({ row, action: 'opened' as const, fromState: null, actor, reason: null })),
    ...[...resolved, ...resolvedAfter].map((row) => ({ row, action: 'resolved' as const, fromState: row.from_state, actor, reason: row.resolve_reason })),
  ];
}

export interface AlertChangePlan {
  toOpen: { condition: Condition; dedupeKey: string }[];
  toResolve: { tenant: string; dedupeKey: string; reason: string }[];
}

/**
 * What the conditions may change, per dedupe key in event-time order: an open when the condition
 * held at any point and the key is not known to be open; a resolve when it no longer holds at the
 * end and the key may be unresolved. Empty plans need no alert statement at all.
 */
export function planAlertChanges(conditions: Condition[], index?: OpenAlertIndex): AlertChangePlan {
  const byKey = new Map<string, { tenant: string; dedupeKey: string; list: Condition[] }>();
  for (const c of conditions) {
    const dedupeKey = dedupeKeyOf(c.kind, c.subjectType, c.subjectId, c.ruleKey);
    const key = tenantKey(c.tenant, dedupeKey);
    const entry = byKey.get(key);
    if (entry) entry.list.push(c);
    else byKey.set(key, { tenant: c.tenant, dedupeKey, list: [c] });
  }
  const plan: AlertChangePlan = { toOpen: [], toResolve: [] };
  for (const { tenant, dedupeKey, list } of byKey.values()) {
    if (list.length > 1) list.sort((a, b) => a.at - b.at);
    const firstActive = list.find((c) => c.active);
    const last = list[list.length - 1]!;
    const open = index?.isOpen(tenant, dedupeKey);
    if (firstActive && open !== true) plan.toOpen.push({ condition: firstActive, dedupeKey });
    // Known open before this batch, or opened just now, or a clear no later report repeats: there may be one to resolve.
    if (!last.active && (open !== false || firstActive || last.final)) plan.toResolve.push({ tenant, dedupeKey, reason: last.clearReason ?? 'condition_cleared' });
  }
  return plan;
}

async function withDetailsOnOpen(c: Condition): Promise<Condition> {
  return c.detailsOnOpen ? { ...c, details: { ...c.details, ...(await c.detailsOnOpen()) } } : c;
}
