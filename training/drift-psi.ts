/**
 * Population stability index: how far a recent distribution has moved from a reference one,
 * over the reference's quantile bins plus one bin for missing values.
 * PSI = Σ (actual − expected) · ln(actual / expected); below 0.1 is stable, above 0.25 is a
 * marked shift (the usual rule of thumb, and the default threshold).
 */
export interface BinnedDistribution {
  /** Upper-exclusive cut points between bins: values < edges[0] fall in bin 0, and so on. */
  edges: number[];
  /** Share of values in each of the edges.length + 1 bins, then the share of missing values. */
  shares: number[];
}

const floor = 1e-4;

/** The reference: cut points at the deciles (duplicates merged) of the finite values. */
export function referenceDistribution(values: ArrayLike<number>, bins = 10): BinnedDistribution {
  const finite = Array.from(values).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let k = 1; k < bins && finite.length > 0; k++) {
    const cut = finite[Math.floor((k * finite.length) / bins)] as number;
    if (edges.length === 0 || cut > (edges[edges.length - 1] as number)) edges.push(cut);
  }
  return { edges, shares: sharesOver(edges, values) };
}

/** Shares of `values` over the given cut points, missing (NaN, null) last. */
export function sharesOver(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 2).fill(0);
  for (let i = 0; i < values.length; i++) counts[binOf(edges, values[i] as number)]! += 1;
  const n = values.length || 1;
  return counts.map((c) => c / n);
}

function binOf(edges: readonly number[], v: number): number {
  if (!Number.isFinite(v)) return edges.length + 1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v < (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** PSI between two share vectors over the same bins; empty bins count as a small share so the log stays finite. */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(floor, expected[i] as number);
    const a = Math.max(floor, actual[i] ?? 0);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** PSI of recent values against a reference distribution. */
export function psiAgainst(reference: BinnedDistribution, values: ArrayLike<number>): number {
  return psi(reference.shares, sharesOver(reference.edges, values));
}
