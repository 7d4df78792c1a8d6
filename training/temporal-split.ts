/**
 * Rows [0, n) sorted by time, cut by time: the earliest `trainShare` of the time range trains
 * (its last `validShare` of time is held out for tuning), the rest is the test part.
 */
export interface TemporalSplit {
  fit: [number, number];
  valid: [number, number];
  test: [number, number];
  validFrom: number;
  testFrom: number;
}

export function temporalSplit(times: ArrayLike<number>, from: number, to: number, trainShare = 0.75, validShare = 0.2): TemporalSplit {
  const testFrom = from + (to - from) * trainShare;
  const validFrom = from + (testFrom - from) * (1 - validShare);
  const firstAtOrAfter = (t: number) => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const v = firstAtOrAfter(validFrom);
  const t = firstAtOrAfter(testFrom);
  return { fit: [0, v], valid: [v, t], test: [t, times.length], validFrom, testFrom };
}
