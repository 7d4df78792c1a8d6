/** Mean squared difference between predicted probability and outcome (0 is perfect). */
export function brierScore(labels: ArrayLike<number>, p: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += ((p[i] as number) - (labels[i] as number)) ** 2;
  return labels.length ? sum / labels.length : Number.NaN;
}
