import type { EntityType } from './entity';
import { signalSlots, slotWidth } from './signal-slots';

/**
 * One row of feature_entity_tiles: every signal of one entity over one tile of one width, slot k
 * at v[8k..8k+7] = count, sum, min, max, last_ts, last_value, ew_sum, ew_weight (integers, as
 * in Tile). A slot with count 0 is empty (its other integers are 0 and mean nothing).
 */
export interface TileRow {
  tenant: string;
  entity: EntityType;
  entityId: string;
  tileMs: number;
  tileStart: number;
  v: number[];
}

export const emptySlots = (entity: EntityType): number[] => new Array<number>(signalSlots[entity].length * slotWidth).fill(0);

/**
 * Adds the tile t[p..p+7] (the 8 integers of a slot) into the slot at v[o..o+7] exactly as
 * mergeTiles would; an empty slot (count 0) takes it as is. The one array form of the merge rule:
 * ingest's fold and reads' fold of events (TileRun) both use it.
 */
export function mergeSlot(v: number[] | Float64Array, o: number, t: ArrayLike<number>, p: number): void {
  if (v[o] === 0) {
    for (let k = 0; k < slotWidth; k++) v[o + k] = t[p + k] as number;
    return;
  }
  const later = (t[p + 4] as number) > (v[o + 4] as number) || (t[p + 4] === v[o + 4] && (t[p + 5] as number) > (v[o + 5] as number));
  v[o] = (v[o] as number) + (t[p] as number);
  v[o + 1] = (v[o + 1] as number) + (t[p + 1] as number);
  v[o + 2] = Math.min(v[o + 2] as number, t[p + 2] as number);
  v[o + 3] = Math.max(v[o + 3] as number, t[p + 3] as number);
  if (later) {
    v[o + 4] = t[p + 4] as number;
    v[o + 5] = t[p + 5] as number;
  }
  v[o + 6] = (v[o + 6] as number) + (t[p + 6] as number);
  v[o + 7] = (v[o + 7] as number) + (t[p + 7] as number);
}
