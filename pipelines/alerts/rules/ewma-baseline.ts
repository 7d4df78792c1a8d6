/**
 * An exponentially weighted mean and variance of one signal of one zone. While warming up the
 * weight is 1/n (a plain running mean), then the fixed alpha takes over.
 */
export interface EwmaBaseline {
  mean: number;
  variance: number;
  samples: number;
}

export interface Judgement {
  /** Standard score of x against the baseline before x; null while warming up. */
  z: number | null;
  /** The baseline after x (unchanged when x was anomalous, so an incident never becomes the norm). */
  next: EwmaBaseline;
}

export interface EwmaSettings {
  alpha: number;
  warmup: number;
  raiseZ: number;
  minStd: number;
}

export function judge(baseline: EwmaBaseline | undefined, x: number, s: EwmaSettings): Judgement {
  if (!baseline) return { z: null, next: { mean: x, variance: 0, samples: 1 } };
  const std = Math.max(Math.sqrt(baseline.variance), s.minStd);
  const z = baseline.samples >= s.warmup ? (x - baseline.mean) / std : null;
  if (z !== null && Math.abs(z) >= s.raiseZ) return { z, next: baseline };
  return { z, next: update(baseline, x, s.alpha) };
}

function update(b: EwmaBaseline, x: number, alpha: number): EwmaBaseline {
  const a = Math.max(alpha, 1 / (b.samples + 1));
  const diff = x - b.mean;
  const incr = a * diff;
  return { mean: b.mean + incr, variance: (1 - a) * (b.variance + diff * incr), samples: b.samples + 1 };
}
