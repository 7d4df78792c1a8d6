import { latencySummary } from './latency';

describe('latencySummary', () => {
  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(latencySummary(samples)).toEqual({ p50: 50, p99: 99, max: 100, count: 100 });
  });
  it('says NaN rather than zero when there is nothing', () => {
    expect(latencySummary([]).p99).toBeNaN();
  });
});
