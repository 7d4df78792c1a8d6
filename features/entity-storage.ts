import type { EntityType } from './entity';
import { signalSlots } from './signal-slots';

/**
 * Entity types whose signals are read per event rather than from tile rows (feature_entity_tiles):
 * devices, whose events are their reports, read from `reports` itself (migration 0034). A device
 * reports every 5 s to every minute and its tiles are 15 s wide, so a device tile holds about one
 * report: upserting a tile row per report cost about twice what appending an event did, and a
 * second copy of each report cost the feature hook more than anything else it wrote. The tiles a
 * read needs are folded from the events with the same arithmetic (TileRun.addEvent), so every
 * value is the same. Hubs, lanes, zones, shipments and the network keep tiles: a batch folds
 * their many events into a few rows. Stored data: moving an entity type needs a migration.
 */
const eventLoggedEntities: ReadonlySet<EntityType> = new Set<EntityType>(['device']);

export const isEventLogged = (entity: EntityType): boolean => eventLoggedEntities.has(entity);

/**
 * Where a signal's value sits in an event row's array: the slot of the plain signal (a series
 * with a half-life reads the same raw value; its EWMA sums are computed when tiles are folded).
 * -1 when the entity has no such signal.
 */
export const eventSlotOf = (entity: EntityType, signal: string): number => signalSlots[entity].indexOf(signal);

// What extractObservations takes from a report for each device signal, as ingest stores it.
const reportColumnOf: Readonly<Record<string, string>> = { report: '1', speed_kph: 'e.speed_kph', battery_pct: 'e.battery_pct' };

/** A device event's values over the report row `e`, in slot order (`{1,52.3,NULL}` as text): one event per report. */
export const deviceEventValuesSql = `ARRAY[${signalSlots.device.map((signal) => {
  const column = reportColumnOf[signal];
  if (column === undefined) throw new Error(`device signal ${signal} has no column in reports (features/entity-storage.ts)`);
  return column;
}).join(', ')}]::float8[]`;
