import { eventSlotOf } from './entity-storage';
import type { Observation } from './observation';
import { toFixed } from './tile';

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
 * Checks the observations of entity types kept per event (devices, read from the reports
 * themselves): each signal has its place in an event, and each value folds into a tile when read.
 */
export function checkEventValues(observations: readonly Observation[]): void {
  for (const o of observations) {
    if (eventSlotOf(o.entity, o.signal) < 0) throw new RangeError(`${o.entity} has no slot for signal ${o.signal} (features/signal-slots.ts)`);
    if (!(Math.abs(toFixed(o.value)) < bigintLimit)) {
      throw new FeatureValueRangeError(`${o.entity} ${o.entityId}: ${o.signal} = ${o.value} is out of the range rolling features keep (|value| < 9.2e14)`);
    }
  }
}
