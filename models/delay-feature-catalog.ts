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
  const seriesNames = new Set(features.flatMap((f) => [f.series, f.denominatorSeries].filter((s): s is string => s !== undefined)));
  const series: SeriesDefinition[] = [...defaultCatalog.series.values()].filter((s) => seriesNames.has(s.name));
  return createCatalog(series, features);
}

export const delayFeatureCatalog: FeatureCatalog = pick();
