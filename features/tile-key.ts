import type { EntityType } from './entity';

/** Where a tile lives: one entity's series. */
export interface SeriesKey {
  tenant: string;
  entity: EntityType;
  entityId: string;
  series: string;
}

export const seriesKeyString = (k: SeriesKey): string => `${k.tenant}\u0000${k.entity}\u0000${k.entityId}\u0000${k.series}`;
