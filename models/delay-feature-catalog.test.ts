import { defaultCatalog } from '../features';
import { delayFeatureCatalog } from './delay-feature-catalog';

describe('delayFeatureCatalog', () => {
  it('reads every feature through the same series as the default catalog, so training sees what serving sees', () => {
    // Importers write with this catalog and serving reads with the default one: a coarser copy
    // missing here would be a copy serving reads and history never got.
    for (const f of delayFeatureCatalog.features) {
      const served = defaultCatalog.features.find((d) => d.name === f.name);
      expect(served).toEqual(f);
      const names = (c: typeof defaultCatalog, g: typeof f) => {
        const read = c.seriesReadBy(g);
        return [...read.numerator, ...read.denominator].map((s) => s.name);
      };
      expect({ feature: f.name, series: names(delayFeatureCatalog, f) }).toEqual({ feature: f.name, series: names(defaultCatalog, served as typeof f) });
    }
    expect(delayFeatureCatalog.features.length).toBeGreaterThan(10);
  });
});
