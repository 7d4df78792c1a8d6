export interface CurvePoint {
  x: number;
  y: number;
}

/** Indexes sorted by score, highest first. */
export function byScoreDesc(scores: ArrayLike<number>): Int32Array {
  const idx = Int32Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => (scores[b] as number) - (scores[a] as number));
}

/**
 * Area under the ROC curve: the probability that a random late leg scores above a random
 * on-time one (ties count half), from the ranks of the scores.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { points } = sweep(labels, scores);
  let area = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as CurvePoint;
    const b = points[i] as CurvePoint;
    area += ((b.x - a.x) * (a.y + b.y)) / 2;
  }
  return area;
}

/** The ROC curve (false positive rate, true positive rate) at every distinct threshold. */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>, maxPoints = 200): CurvePoint[] {
  const { points } = sweep(labels, scores);
  if (points.length <= maxPoints) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, k) => points[Math.round(k * step)] as CurvePoint);
}

function sweep(labels: ArrayLike<number>, scores: ArrayLike<number>): { points: CurvePoint[] } {
  const order = byScoreDesc(scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += (labels[i] as number) > 0.5 ? 1 : 0;
  const negatives = labels.length - positives;
  const points: CurvePoint[] = [{ x: 0, y: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if ((labels[i] as number) > 0.5) tp++;
    else fp++;
    const next = order[k + 1];
    // One point per distinct score: tied legs move together (a diagonal step, counted half).
    if (next === undefined || scores[next] !== scores[i]) points.push({ x: negatives ? fp / negatives : 0, y: positives ? tp / positives : 0 });
  }
  return { points };
}
