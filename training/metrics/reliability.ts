export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number | null;
  observedRate: number | null;
}

/** Calibration: legs binned by predicted probability (equal-width bins), predicted vs observed late rate. */
export function reliabilityCurve(labels: ArrayLike<number>, p: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const v = p[i] as number;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(v * bins)));
    count[b] = (count[b] as number) + 1;
    sumP[b] = (sumP[b] as number) + v;
    sumY[b] = (sumY[b] as number) + (labels[i] as number);
  }
  return Array.from({ length: bins }, (_, b) => {
    const n = count[b] as number;
    return { lo: b / bins, hi: (b + 1) / bins, count: n, meanPredicted: n ? (sumP[b] as number) / n : null, observedRate: n ? (sumY[b] as number) / n : null };
  });
}
