import type { EntityType } from './entity';

/** Where a tile lives: one entity's series. */
export interface SeriesKey {
  tenant: string;
  entity: EntityType;
  entityId: string;
  series: string;
}

export const seriesKeyString = (k: SeriesKey): string => `${k.tenant}\u0000${k.entity}\u0000${k.entityId}\u0000${k.series}`;

/** One total order on tiles, used by every writer: upserts lock rows in this order, so concurrent batches never deadlock. */
export function compareSeriesKeys(a: SeriesKey, b: SeriesKey): number {
  return cmp(a.tenant, b.tenant) || cmp(a.entity, b.entity) || cmp(a.entityId, b.entityId) || cmp(a.series, b.series);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
