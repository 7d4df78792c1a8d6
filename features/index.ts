/** What the rest of Flowcast uses from features/: definitions, the ingest hook, online and point-in-time reads. */
export { createCatalog, type FeatureCatalog } from './catalog';
export { defaultCatalog } from './definitions';
export { entityTypes, isEntityType, laneId, networkId, type EntityRef, type EntityType } from './entity';
export type { FeatureDefinition, SeriesDefinition, Aggregation } from './feature-definition';
export { createFeatureUpdater, type FeatureUpdaterOptions, type StoredReportsHook } from './feature-updater';
export { createFeatureMetrics, type FeatureMetrics } from './feature-metrics';
export type { FeatureVector } from './feature-vector';
export { getOnlineFeatures, type OnlineRequest } from './online-features';
export { OnlineFeatureCache, type OnlineFeatureCacheOptions } from './online-feature-cache';
export { getHistoricalFeatureColumns, getHistoricalFeatures, type HistoricalColumns, type HistoricalRequest, type HistoricalRow } from './historical-features';
export { shipmentLegSchema, type ShipmentLeg } from './shipment-leg';
export { upsertShipmentLegs } from './store/upsert-shipment-legs';
export { FeatureRetentionError, FeatureStatePrunedError, firstReadableAt, minimumRetentionMs, pruneHorizon } from './feature-retention';
export { pruneFeatureState, type PruneFeatureStateOptions, type PrunedRows } from './store/prune-feature-state';
export { readPrunedBefore } from './store/read-pruned-before';
