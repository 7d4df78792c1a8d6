/** Mean absolute error (e.g. of the predicted median delay, minutes). */
export function meanAbsoluteError(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs((actual[i] as number) - (predicted[i] as number));
  return actual.length ? sum / actual.length : Number.NaN;
}

/** Mean pinball loss of predicted `tau`-quantiles (minutes). */
export function pinballLoss(actual: ArrayLike<number>, predicted: ArrayLike<number>, tau: number): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = (actual[i] as number) - (predicted[i] as number);
    sum += Math.max(tau * d, (tau - 1) * d);
  }
  return actual.length ? sum / actual.length : Number.NaN;
}

/** Share of actual values at or below the predicted quantile (a p90 should cover about 0.9). */
export function coverage(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < actual.length; i++) n += (actual[i] as number) <= (predicted[i] as number) ? 1 : 0;
  return actual.length ? n / actual.length : Number.NaN;
}
