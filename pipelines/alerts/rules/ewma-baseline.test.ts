import { judge, type EwmaBaseline } from './ewma-baseline';

const settings = { alpha: 0.05, warmup: 30, raiseZ: 4, minStd: 2 };

function feed(values: number[]): { baseline: EwmaBaseline | undefined; zs: (number | null)[] } {
  let baseline: EwmaBaseline | undefined;
  const zs: (number | null)[] = [];
  for (const x of values) {
    const j = judge(baseline, x, settings);
    zs.push(j.z);
    baseline = j.next;
  }
  return { baseline, zs };
}

describe('EWMA baseline', () => {
  it('judges nothing while warming up, then scores a steady zone near zero', () => {
    const steady = Array.from({ length: 60 }, (_, i) => 100 + (i % 5) - 2);
    const { zs, baseline } = feed(steady);
    expect(zs.slice(0, 30).every((z) => z === null)).toBe(true);
    expect(zs.slice(30).every((z) => z !== null && Math.abs(z) < 2)).toBe(true);
    expect(baseline!.mean).toBeCloseTo(100, 0);
  });

  it('scores a collapse far below, and keeps the baseline where it was while it lasts', () => {
    const { baseline } = feed(Array.from({ length: 60 }, (_, i) => 100 + (i % 5) - 2));
    const during = judge(baseline, 10, settings);
    expect(during.z).toBeLessThan(-4);
    expect(during.next).toEqual(baseline);
  });

  it('never divides by a zero variance: a perfectly steady zone uses the floor', () => {
    const { baseline } = feed(Array.from({ length: 40 }, () => 50));
    expect(judge(baseline, 49, settings).z).toBeCloseTo(-0.5, 5);
  });
});
