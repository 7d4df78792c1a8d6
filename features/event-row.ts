import type { EntityType } from './entity';
import { eventSlotOf } from './entity-storage';
import type { Observation } from './observation';
import { signalSlots } from './signal-slots';

/** One row of feature_events: every signal of one entity at one event time, each in its slot (null = not observed). */
export interface EventRow {
  tenant: string;
  entity: EntityType;
  entityId: string;
  ts: number;
  v: (number | null)[];
}

/**
 * Gathers the observations of event-logged entities into rows: a report's device signals are
 * consecutive observations with one key, so they make one row; a signal seen again starts a new
 * row (two reports of one device at the same instant stay two events).
 */
export function gatherEventRows(observations: readonly Observation[]): EventRow[] {
  const rows: EventRow[] = [];
  let row: EventRow | undefined;
  for (const o of observations) {
    const slot = eventSlotOf(o.entity, o.signal);
    if (slot < 0) throw new RangeError(`${o.entity} has no slot for signal ${o.signal} (features/signal-slots.ts)`);
    if (!row || row.tenant !== o.tenant || row.entity !== o.entity || row.entityId !== o.entityId || row.ts !== o.ts || row.v[slot] !== null) {
      row = { tenant: o.tenant, entity: o.entity, entityId: o.entityId, ts: o.ts, v: new Array<number | null>(signalSlots[o.entity].length).fill(null) };
      rows.push(row);
    }
    row.v[slot] = o.value;
  }
  return rows;
}
