import { averagePrecision } from './average-precision';
import { brierScore } from './brier';
import { pinballLoss } from './quantile-errors';
import { reliabilityCurve } from './reliability';
import { rocAuc } from './roc';

/** Brute force: over all (late, on-time) pairs, the share where the late one scores higher (ties half). */
function pairwiseAuc(y: number[], s: number[]): number {
  let wins = 0;
  let pairs = 0;
  y.forEach((yi, i) => y.forEach((yj, j) => {
    if (yi === 1 && yj === 0) {
      pairs++;
      wins += (s[i] as number) > (s[j] as number) ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }));
  return wins / pairs;
}

describe('classification metrics', () => {
  it('ROC AUC equals the pairwise win rate, ties included', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const y = Array.from({ length: 300 }, () => (rnd() < 0.3 ? 1 : 0));
    const s = y.map((v) => Math.round((v * 0.3 + rnd()) * 10) / 10);
    expect(rocAuc(y, s)).toBeCloseTo(pairwiseAuc(y, s), 10);
  });

  it('perfect and reversed rankings', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])).toBe(0);
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    // One constant score: precision is the base rate everywhere.
    expect(averagePrecision([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBeCloseTo(0.5);
  });

  it('Brier score, reliability bins and pinball loss', () => {
    expect(brierScore([1, 0], [0.75, 0.25])).toBeCloseTo(0.0625);
    const bins = reliabilityCurve([1, 0, 1, 1], [0.05, 0.05, 0.95, 0.95]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ count: 2, observedRate: 0.5 });
    expect(bins[9]).toMatchObject({ count: 2, observedRate: 1 });
    // Under-predicting a 90th percentile by 10 costs 9, over-predicting by 10 costs 1.
    expect(pinballLoss([10, 0], [0, 10], 0.9)).toBeCloseTo((9 + 1) / 2);
  });
});
