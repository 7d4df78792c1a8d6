import type { EntityType } from './entity';
import { signalSlots } from './signal-slots';

/**
 * Entity types whose signals are kept per event (feature_events, one row per report) rather
 * than in tile rows (feature_entity_tiles). A device reports every 5 s to every minute and its
 * tiles are 15 s wide, so a device tile holds about one report: upserting a tile row per report
 * cost about twice what appending the event does, and the tiles a read needs are folded from
 * the events with the same arithmetic (TileRun.addEvent), so every value is the same. Hubs,
 * lanes, zones, shipments and the network keep tiles: a batch folds their many events into a
 * few rows. Stored data: moving an entity type from one table to the other needs a migration.
 */
const eventLoggedEntities: ReadonlySet<EntityType> = new Set<EntityType>(['device']);

export const isEventLogged = (entity: EntityType): boolean => eventLoggedEntities.has(entity);

/**
 * Where a signal's value sits in an event row's array: the slot of the plain signal (a series
 * with a half-life reads the same raw value; its EWMA sums are computed when tiles are folded).
 * -1 when the entity has no such signal.
 */
export const eventSlotOf = (entity: EntityType, signal: string): number => signalSlots[entity].indexOf(signal);
