import { referenceDistribution, type BinnedDistribution } from './drift-psi';
import type { Holdout } from './retrain-holdout';

/**
 * What "normal" looks like for a version, kept with the run that trained it: the distribution of
 * every rolling input and of the model's P(late) over its holdout (the most recent data it was
 * built from). Drift checks compare live predictions with it.
 */
export interface DriftReference {
  rows: number;
  from: string;
  to: string;
  features: Record<string, BinnedDistribution>;
  pLate: BinnedDistribution;
}

export function buildDriftReference(h: Holdout, pLate: Float32Array): DriftReference {
  const ds = h.dataset;
  const width = ds.rollingNames.length;
  const features: Record<string, BinnedDistribution> = {};
  ds.rollingNames.forEach((name, j) => {
    const column = Float64Array.from({ length: ds.size }, (_, i) => ds.rolling[i * width + j] as number);
    features[name] = referenceDistribution(column);
  });
  return {
    rows: ds.size, from: new Date(h.from).toISOString(), to: new Date(h.to).toISOString(), features, pLate: referenceDistribution(pLate),
  };
}
