import { createCatalog, type FeatureCatalog } from './catalog';
import type { EntityType } from './entity';
import type { Aggregation, FeatureDefinition, SeriesDefinition } from './feature-definition';

/**
 * The features Flowcast keeps (issue 3's first set). Tile widths are about 1/60 of the window
 * (1/96 for a day): they bound how stale a value can be and how many rows an online read scans.
 * Device series share one width (one row per device and tile, see deviceTileMs).
 */
const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

const windows = { '15m': 15 * minute, '1h': hour, '3h': 3 * hour, '24h': 24 * hour, '7d': 7 * 24 * hour } as const;
type Window = keyof typeof windows;
const tileFor: Record<Window, number> = { '15m': 15 * second, '1h': minute, '3h': 3 * minute, '24h': 15 * minute, '7d': hour };
const label = (ms: number) => (ms % hour === 0 ? `${ms / hour}h` : ms % minute === 0 ? `${ms / minute}m` : `${ms / second}s`);

/**
 * Every device series shares one tile width, so a report writes one row (all its device
 * signals in one feature_entity_tiles row) instead of one row per series. The price: last-value
 * device features (battery, seconds since the last report) are stale by up to this much.
 */
const deviceTileMs = 15 * second;

const seriesList: SeriesDefinition[] = [];
const featureList: FeatureDefinition[] = [];

function series(entity: EntityType, signal: string, tileMs: number, halfLifeMs?: number): string {
  const name = `${entity}.${signal}@${label(tileMs)}${halfLifeMs ? `~${label(halfLifeMs)}` : ''}`;
  if (!seriesList.some((s) => s.name === name)) {
    seriesList.push({ name, entity, signal, tileMs, ...(halfLifeMs ? { halfLifeMs } : {}) });
  }
  return name;
}

function feature(
  entity: EntityType, what: string, aggregation: Aggregation, signal: string, window: Window, description: string,
  extra: { denominator?: string; halfLifeMs?: number; tileMs?: number } = {},
): void {
  const tileMs = extra.tileMs ?? tileFor[window];
  const s = series(entity, signal, tileMs, extra.halfLifeMs);
  featureList.push({
    name: `${entity}.${what}_${window}`, entity, aggregation, windowMs: windows[window], description,
    series: s, ...(extra.denominator ? { denominatorSeries: series(entity, extra.denominator, tileMs) } : {}),
  });
}

for (const w of ['1h', '3h', '24h'] as const) {
  feature('hub', 'arrivals', 'count', 'arrival', w, 'arrived events at the hub');
  feature('hub', 'departures', 'count', 'departure', w, 'departed events at the hub');
  feature('hub', 'arrival_delay_mean', 'mean', 'arrival_delay_min', w, 'mean arrival delay (minutes) of arrivals with a known delay');
  feature('hub', 'departure_delay_mean', 'mean', 'departure_delay_min', w, 'mean departure delay (minutes) of departures with a known delay');
}
feature('hub', 'arrival_delay_ewma', 'ewma', 'arrival_delay_min', '24h', 'arrival delay (minutes), exponentially weighted with a 1 h half-life', { halfLifeMs: hour });
feature('hub', 'arrival_delay_max', 'max', 'arrival_delay_min', '3h', 'largest arrival delay (minutes)');
feature('lane', 'delay_mean', 'mean', 'arrival_delay_min', '24h', 'mean arrival delay (minutes) of legs on the lane');
feature('lane', 'count', 'count', 'arrival', '24h', 'arrivals of legs on the lane');
feature('device', 'speed_mean', 'mean', 'speed_kph', '15m', 'mean reported speed (km/h)', { tileMs: deviceTileMs });
feature('device', 'seconds_since_last_report', 'seconds_since_last', 'report', '24h', 'seconds since the device last reported (null after a day of silence)', { tileMs: deviceTileMs });
feature('device', 'battery_last', 'last', 'battery_pct', '24h', 'last reported battery level (%)', { tileMs: deviceTileMs });
feature('zone', 'parcels_per_min', 'rate_per_min', 'parcels', '15m', 'parcels sorted per minute');
feature('zone', 'reject_rate', 'ratio', 'rejects', '15m', 'rejected parcels / parcels', { denominator: 'parcels' });
feature('zone', 'jams', 'count', 'jam', '1h', 'jam events');
feature('network', 'delay_mean', 'mean', 'arrival_delay_min', '1h', 'mean arrival delay (minutes) over every hub');
feature('shipment', 'last_delay', 'last', 'event_delay_min', '7d', 'delay (minutes) at the shipment\'s latest departed/arrived event', { tileMs: minute });

/**
 * Coarser copies of series, read for the middle of long windows (catalog.ladderOf): a hub's day
 * is ~23 hour tiles and a few quarter-hours instead of 96 quarter-hours, its hour ~3 quarter-hours
 * and a few finer tiles. Each costs ingest one more row per entity and batch. Migration 0033
 * builds them for history written before they existed.
 */
for (const signal of ['arrival', 'departure', 'arrival_delay_min', 'departure_delay_min']) series('hub', signal, hour);
series('hub', 'arrival_delay_min', hour, hour);
for (const signal of ['arrival', 'arrival_delay_min']) series('lane', signal, hour);
series('network', 'arrival_delay_min', 15 * minute);

/** The catalog the updater, the online store and the historical reader use by default. */
export const defaultCatalog: FeatureCatalog = createCatalog(seriesList, featureList);
