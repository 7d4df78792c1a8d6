import { Counter, Histogram, type Registry } from 'prom-client';

export interface FeatureMetrics {
  observations: Counter<'entity'>;
  droppedLate: Counter;
  unknownDelay: Counter;
  updateSeconds: Histogram;
  tilesWritten: Counter;
}

export function createFeatureMetrics(registry: Registry): FeatureMetrics {
  return {
    observations: new Counter({
      name: 'flowcast_feature_observations_total',
      help: 'Signal values added to rolling-feature state, by entity type',
      labelNames: ['entity'],
      registers: [registry],
    }),
    droppedLate: new Counter({
      name: 'flowcast_feature_dropped_late_total',
      help: 'Reports left out of rolling features because they arrived later than the allowed lateness (they are still stored)',
      registers: [registry],
    }),
    unknownDelay: new Counter({
      name: 'flowcast_feature_unknown_delay_total',
      help: 'departed/arrived events whose delay is unknown (no matching shipment leg and no delay_min metric)',
      registers: [registry],
    }),
    updateSeconds: new Histogram({
      name: 'flowcast_feature_update_seconds',
      help: 'Time to update feature state for one batch (inside the ingest transaction)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    tilesWritten: new Counter({
      name: 'flowcast_feature_tiles_written_total',
      help: 'Tile rows inserted or updated',
      registers: [registry],
    }),
  };
}
