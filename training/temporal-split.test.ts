import { fitLaneRate } from './lane-rate-baseline';
import { temporalSplit } from './temporal-split';

describe('temporal split', () => {
  it('cuts by time, not by row count: training then validation (end of the training period) then test', () => {
    // 100 legs in the first half of the range, 10 in the second: a 75 % cut by time keeps the dense part in training.
    const times = [...Array.from({ length: 100 }, (_, i) => i * 0.5), ...Array.from({ length: 10 }, (_, i) => 60 + i * 4)];
    const s = temporalSplit(times, 0, 100);
    expect(s.testFrom).toBe(75);
    expect(s.validFrom).toBe(60);
    expect(s.fit).toEqual([0, 100]);
    expect(s.valid).toEqual([100, 104]);
    expect(s.test).toEqual([104, 110]);
    for (let i = s.test[0]; i < s.test[1]; i++) expect(times[i]).toBeGreaterThanOrEqual(75);
  });
});

describe('lane late-rate baseline', () => {
  it("uses each lane's own rate, shrunk toward the overall rate, and the overall rate for unseen lanes", () => {
    const from = ['A', 'A', 'A', 'A', 'B'];
    const to = ['X', 'X', 'X', 'X', 'Y'];
    const late = [1, 1, 1, 1, 0];
    const rate = fitLaneRate(from, to, late, 1);
    expect(rate('A', 'X')).toBeCloseTo((4 + 0.8) / 5);
    expect(rate('B', 'Y')).toBeCloseTo(0.8 / 2);
    expect(rate('C', 'Z')).toBeCloseTo(0.8);
  });
});
