import { signalKey, type FeatureCatalog } from './catalog';
import type { Observation } from './observation';
import { slotWidth } from './signal-slots';
import { singletonFields, tileStartOf } from './tile';
import { emptySlots, mergeSlot, type TileRow } from './tile-row';

const scratch = new Float64Array(slotWidth);

/**
 * Folds a batch of observations into one delta row per (entity, tile width, tile), every signal
 * of the entity in its slot: a report's device signals are one row, and a busy hub's hundred
 * arrivals in a batch are one row update. Sorted by key string, the one lock order every writer
 * uses (any fixed total order prevents deadlocks; comparing one string is the cheapest).
 */
export function foldIntoTiles(observations: Observation[], catalog: FeatureCatalog): TileRow[] {
  const byKey = new Map<string, TileRow>();
  for (const o of observations) {
    for (const series of catalog.seriesBySignal.get(signalKey(o.entity, o.signal)) ?? []) {
      const tileStart = tileStartOf(o.ts, series.tileMs);
      const id = `${o.tenant}\u0000${o.entity}\u0000${o.entityId}\u0000${series.tileMs}\u0000${tileStart}`;
      let row = byKey.get(id);
      if (!row) {
        row = { tenant: o.tenant, entity: o.entity, entityId: o.entityId, tileMs: series.tileMs, tileStart, v: emptySlots(o.entity) };
        byKey.set(id, row);
      }
      mergeSlot(row.v, catalog.slotOf(series.name) * slotWidth, singletonFields(series, o.ts, o.value, scratch), 0);
    }
  }
  return [...byKey.keys()].sort().map((k) => byKey.get(k) as TileRow);
}
