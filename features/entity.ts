/** What a feature describes. A lane is `FROM->TO`; the network has the single id `all`. */
export const entityTypes = ['hub', 'lane', 'device', 'shipment', 'zone', 'network'] as const;
export type EntityType = (typeof entityTypes)[number];

export interface EntityRef {
  type: EntityType;
  id: string;
}

export const networkId = 'all';

export const laneId = (from: string, to: string): string => `${from}->${to}`;

export const isEntityType = (v: string): v is EntityType => (entityTypes as readonly string[]).includes(v);
