import type { Knex } from 'knex';
import { loadOpenAlertKeys } from './store/load-open-alert-keys';
import { readAlertStateChanges } from './store/read-alert-state-changes';

/**
 * Which alerts are unresolved, per tenant, as of the last catchUp: kept by reading the alert
 * event log on from each tenant's last event seen. Every change of an alert's state appends an
 * event under the tenant's lock (store/append-alert-events.ts), so within a tenant events become
 * visible in sequence order and reading on after the last one seen misses none — whichever
 * process (another consumer, the silence sweep, an operator through the API) made the change.
 *
 * It lets the scoring consumer skip the database for the bulk of its conditions: nearly every
 * report says "still fine" (battery fine, device not silent…) about an alert that is not open.
 * A tenant not caught up yet is unknown, and every question about it is answered "maybe".
 */
export class OpenAlertIndex {
  private readonly tenants = new Map<string, { lastSeq: number; open: Set<string> }>();

  /** Brings the tenants' unresolved alerts up to what is committed now: one query, two for tenants not seen before. */
  async catchUp(db: Knex, tenants: Iterable<string>): Promise<void> {
    const known: { tenant: string; afterSeq: number }[] = [];
    const unknown: string[] = [];
    for (const t of new Set(tenants)) {
      const state = this.tenants.get(t);
      if (state) known.push({ tenant: t, afterSeq: state.lastSeq });
      else unknown.push(t);
    }
    for (const change of await readAlertStateChanges(db, known)) {
      const state = this.tenants.get(change.tenant)!;
      if (change.toState === 'resolved') state.open.delete(change.dedupeKey);
      else state.open.add(change.dedupeKey);
      state.lastSeq = Math.max(state.lastSeq, change.seq);
    }
    for (const t of await loadOpenAlertKeys(db, unknown)) this.tenants.set(t.tenant, { lastSeq: t.lastSeq, open: new Set(t.openKeys) });
  }

  /** True when the alert is known to be unresolved; false when known resolved or absent; undefined when the tenant is unknown. */
  isOpen(tenant: string, dedupeKey: string): boolean | undefined {
    return this.tenants.get(tenant)?.open.has(dedupeKey);
  }
}
