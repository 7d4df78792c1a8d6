import { signalKey, type FeatureCatalog } from './catalog';
import type { Observation } from './observation';
import { mergeTiles, singletonTile, type Tile } from './tile';
import { compareSeriesKeys, seriesKeyString, type SeriesKey } from './tile-key';

export interface KeyedTile extends SeriesKey {
  tile: Tile;
}

/**
 * Folds a batch of observations into one delta per (series key, tile): a busy hub's hundred
 * arrivals in a batch become one row update. Sorted in the writers' lock order.
 */
export function foldIntoTiles(observations: Observation[], catalog: FeatureCatalog): KeyedTile[] {
  const byKey = new Map<string, KeyedTile>();
  for (const o of observations) {
    for (const series of catalog.seriesBySignal.get(signalKey(o.entity, o.signal)) ?? []) {
      const tile = singletonTile(series, o.ts, o.value);
      const key = { tenant: o.tenant, entity: o.entity, entityId: o.entityId, series: series.name };
      const id = `${seriesKeyString(key)}\u0000${tile.tileStart}`;
      const existing = byKey.get(id);
      if (existing) existing.tile = mergeTiles(existing.tile, tile);
      else byKey.set(id, { ...key, tile });
    }
  }
  return [...byKey.values()].sort((a, b) => compareSeriesKeys(a, b) || a.tile.tileStart - b.tile.tileStart);
}
