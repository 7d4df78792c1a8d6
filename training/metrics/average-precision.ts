import { byScoreDesc } from './roc';

/**
 * Area under the precision-recall curve as average precision: the mean, over late legs, of
 * the precision at the threshold that first includes them (tied scores enter together).
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = byScoreDesc(scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += (labels[i] as number) > 0.5 ? 1 : 0;
  if (positives === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let k = 0;
  while (k < order.length) {
    let groupTp = 0;
    let end = k;
    const s = scores[order[k] as number];
    while (end < order.length && scores[order[end] as number] === s) {
      groupTp += (labels[order[end] as number] as number) > 0.5 ? 1 : 0;
      end++;
    }
    tp += groupTp;
    seen += end - k;
    ap += (groupTp / positives) * (tp / seen);
    k = end;
  }
  return ap;
}
