import type { EntityType } from './entity';
import { eventSlotOf } from './entity-storage';
import type { Observation } from './observation';
import { signalSlots } from './signal-slots';
import { toFixed } from './tile';

/** One row of feature_events: every signal of one entity at one event time, each in its slot (null = not observed). */
export interface EventRow {
  tenant: string;
  entity: EntityType;
  entityId: string;
  ts: number;
  v: (number | null)[];
}

// Fixed-point integers at or beyond this do not fit a tile row's bigint.
const bigintLimit = 2 ** 63;

/**
 * A value too large for a tile's fixed-point integers. Its code is PostgreSQL's for a bigint out
 * of range, which tile rows raised for such a value before devices were kept per event: ingest
 * then stores the batch's reports one by one and dead-letters this one (store_failed), as before.
 */
export class FeatureValueRangeError extends RangeError {
  readonly code = '22003';
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
    if (!(Math.abs(toFixed(o.value)) < bigintLimit)) {
      throw new FeatureValueRangeError(`${o.entity} ${o.entityId}: ${o.signal} = ${o.value} is out of the range rolling features keep (|value| < 9.2e14)`);
    }
    if (!row || row.tenant !== o.tenant || row.entity !== o.entity || row.entityId !== o.entityId || row.ts !== o.ts || row.v[slot] !== null) {
      row = { tenant: o.tenant, entity: o.entity, entityId: o.entityId, ts: o.ts, v: new Array<number | null>(signalSlots[o.entity].length).fill(null) };
      rows.push(row);
    }
    row.v[slot] = o.value;
  }
  return rows;
}
