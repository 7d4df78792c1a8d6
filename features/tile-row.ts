import type { EntityType } from './entity';
import { signalSlots, slotWidth } from './signal-slots';
import type { Tile } from './tile';

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

/** Adds a tile into slot `slot` of v exactly as mergeTiles would (an empty slot takes the tile as is). */
export function mergeIntoSlot(v: number[], slot: number, t: Tile): void {
  const o = slot * slotWidth;
  if (v[o] === 0) {
    v[o] = t.count; v[o + 1] = t.sum; v[o + 2] = t.min; v[o + 3] = t.max;
    v[o + 4] = t.lastTs; v[o + 5] = t.lastValue; v[o + 6] = t.ewSum; v[o + 7] = t.ewWeight;
    return;
  }
  const lastTs = v[o + 4] as number;
  const later = t.lastTs > lastTs || (t.lastTs === lastTs && t.lastValue > (v[o + 5] as number));
  v[o] = (v[o] as number) + t.count;
  v[o + 1] = (v[o + 1] as number) + t.sum;
  v[o + 2] = Math.min(v[o + 2] as number, t.min);
  v[o + 3] = Math.max(v[o + 3] as number, t.max);
  if (later) {
    v[o + 4] = t.lastTs;
    v[o + 5] = t.lastValue;
  }
  v[o + 6] = (v[o + 6] as number) + t.ewSum;
  v[o + 7] = (v[o + 7] as number) + t.ewWeight;
}
