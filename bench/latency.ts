/** Percentiles of latency samples in ms (nearest rank), rounded to 0.1 ms. */
export function latencySummary(samples: number[]): { p50: number; p99: number; max: number; count: number } {
  if (samples.length === 0) return { p50: NaN, p99: NaN, max: NaN, count: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! * 10) / 10;
  return { p50: at(0.5), p99: at(0.99), max: at(1), count: samples.length };
}
