import type { EntityType } from './entity';

/** One number a report contributes to one entity's signal, at the report's event time (epoch ms). */
export interface Observation {
  tenant: string;
  entity: EntityType;
  entityId: string;
  signal: string;
  ts: number;
  value: number;
}
