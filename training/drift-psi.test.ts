import { mulberry32 } from './seeded-random';
import { psi, psiAgainst, referenceDistribution } from './drift-psi';

const normal = (random: () => number, mean: number, sd: number) => () =>
  mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const draw = (n: number, f: () => number) => Float64Array.from({ length: n }, f);

describe('population stability index', () => {
  const random = mulberry32(7);
  const reference = referenceDistribution(draw(20_000, normal(random, 0, 1)));

  it('is near zero for a sample of the same distribution', () => {
    expect(psiAgainst(reference, draw(5_000, normal(random, 0, 1)))).toBeLessThan(0.02);
  });

  it('passes the marked-shift threshold when the mean moves by one standard deviation', () => {
    expect(psiAgainst(reference, draw(5_000, normal(random, 1, 1)))).toBeGreaterThan(0.25);
  });

  it('counts values turning missing as a shift', () => {
    const half = draw(5_000, normal(random, 0, 1)).map((v, i) => (i % 2 ? Number.NaN : v));
    expect(psiAgainst(reference, half)).toBeGreaterThan(0.25);
  });

  it('is symmetric in form and zero for identical shares', () => {
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(psi([0.2, 0.8], [0.8, 0.2])).toBeCloseTo(psi([0.8, 0.2], [0.2, 0.8]), 10);
  });

  it('merges repeated cut points of a discrete feature', () => {
    const d = referenceDistribution([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(d.edges).toEqual([0, 1]);
    expect(d.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });
});
