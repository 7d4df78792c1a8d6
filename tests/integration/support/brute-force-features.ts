import type { FeatureCatalog } from '../../../features/catalog';
import type { EntityRef } from '../../../features/entity';
import type { FeatureDefinition, SeriesDefinition } from '../../../features/feature-definition';
import type { Observation } from '../../../features/observation';

/**
 * The test oracle: every feature recomputed from the raw observations, with no tiles, running
 * totals or SQL, by the definition in docs/FEATURES.md: the events of the window
 * [asOf − window, asOf), asOf being the read time rounded down to the series' tile; values kept
 * to 10^-4. (EWMA here weighs each event exactly; tiles keep weights to 10^-9.)
 */
export function bruteForceFeatures(catalog: FeatureCatalog, observations: Observation[], tenant: string, entity: EntityRef, at: number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const f of catalog.featuresOf(entity.type)) out[f.name] = bruteForce(f, catalog, observations, tenant, entity, at);
  return out;
}

function bruteForce(f: FeatureDefinition, catalog: FeatureCatalog, all: Observation[], tenant: string, entity: EntityRef, at: number): number | null {
  const series = catalog.series.get(f.series) as SeriesDefinition;
  const asOf = Math.floor(at / series.tileMs) * series.tileMs;
  const inWindow = (s: SeriesDefinition) =>
    all.filter((o) => o.tenant === tenant && o.entity === entity.type && o.entityId === entity.id && o.signal === s.signal && o.ts >= asOf - f.windowMs && o.ts < asOf);
  const events = inWindow(series);
  const q = events.map((o) => Math.round(o.value * 10_000));
  const total = q.reduce((a, b) => a + b, 0);
  const latest = events.reduce<Observation | undefined>(
    (best, o) => (!best || o.ts > best.ts || (o.ts === best.ts && o.value > best.value) ? o : best), undefined);
  switch (f.aggregation) {
    case 'count': return events.length;
    case 'sum': return total / 10_000;
    case 'mean': return events.length ? total / events.length / 10_000 : null;
    case 'min': return events.length ? Math.min(...q) / 10_000 : null;
    case 'max': return events.length ? Math.max(...q) / 10_000 : null;
    case 'last': return latest ? Math.round(latest.value * 10_000) / 10_000 : null;
    case 'seconds_since_last': return latest ? (at - latest.ts) / 1000 : null;
    case 'rate_per_min': return total / 10_000 / (f.windowMs / 60_000);
    case 'ratio': {
      const den = inWindow(catalog.series.get(f.denominatorSeries as string) as SeriesDefinition).reduce((a, o) => a + Math.round(o.value * 10_000), 0);
      return den === 0 ? null : total / den;
    }
    case 'ewma': {
      const tau = (series.halfLifeMs as number) / Math.LN2;
      const w = events.map((o) => Math.exp((o.ts - asOf) / tau));
      const den = w.reduce((a, b) => a + b, 0);
      return events.length ? events.reduce((a, o, i) => a + o.value * (w[i] as number), 0) / den : null;
    }
  }
}
