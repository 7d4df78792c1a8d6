import type { EntityType } from './entity';

/**
 * Where each signal lives inside an entity's tile row (feature_entity_tiles.v): slot k holds the
 * 8 integers of one series' tile at offsets 8k..8k+7. The numbering is stored data, so it is
 * fixed here rather than derived from a catalog: a catalog that uses a subset of the series
 * (models/delay-feature-catalog.ts) must write and read the same slots. **Append only**: never
 * reorder or remove an entry (rows written earlier would be misread); a new signal goes at the
 * end of its entity's list. A series with a half-life keeps its own slot (its EWMA sums are
 * specific to that half-life), named `signal~halfLifeMs`.
 */
export const signalSlots: Readonly<Record<EntityType, readonly string[]>> = {
  hub: ['arrival', 'departure', 'arrival_delay_min', 'departure_delay_min', 'arrival_delay_min~3600000'],
  lane: ['arrival', 'arrival_delay_min'],
  device: ['report', 'speed_kph', 'battery_pct'],
  shipment: ['event_delay_min'],
  zone: ['parcels', 'rejects', 'jam'],
  network: ['arrival_delay_min'],
};

/** Integers per slot: count, sum, min, max, last_ts, last_value, ew_sum, ew_weight. */
export const slotWidth = 8;

export const slotName = (signal: string, halfLifeMs?: number): string => (halfLifeMs ? `${signal}~${halfLifeMs}` : signal);

/** The slot of a series, or -1 when the entity has no such signal. */
export const slotOf = (entity: EntityType, signal: string, halfLifeMs?: number): number =>
  signalSlots[entity].indexOf(slotName(signal, halfLifeMs));
