import { createCatalog, defaultCatalog, type FeatureCatalog, type FeatureDefinition, type SeriesDefinition } from '../features';

/**
 * The rolling features the delay model reads: every hub, lane and network feature of the
 * default catalog, with the same definitions (so the same tiles) as the online store. Importers
 * of history feed only these series; serving reads them with the default catalog and gets the
 * same values.
 */
const entities = new Set(['hub', 'lane', 'network']);

function pick(): FeatureCatalog {
  const features: FeatureDefinition[] = defaultCatalog.features.filter((f) => entities.has(f.entity));
  // Every series of those entity types, the coarser copies included: the default catalog reads
  // long windows through them, so an importer writing only the finest would leave those reads short.
  const series: SeriesDefinition[] = [...defaultCatalog.series.values()].filter((s) => entities.has(s.entity));
  return createCatalog(series, features);
}

export const delayFeatureCatalog: FeatureCatalog = pick();
