import { averagePrecision } from './metrics/average-precision';
import { brierScore } from './metrics/brier';
import { coverage, meanAbsoluteError, pinballLoss } from './metrics/quantile-errors';
import { reliabilityCurve, type ReliabilityBin } from './metrics/reliability';
import { rocAuc, rocCurve, type CurvePoint } from './metrics/roc';

export interface ClassifierMetrics {
  auc: number;
  prAuc: number;
  brier: number;
  reliability: ReliabilityBin[];
  roc: CurvePoint[];
}

export interface QuantileMetrics {
  mae: number;
  pinball50: number;
  pinball90: number;
  coverage90: number;
}

export function classifierMetrics(late: ArrayLike<number>, p: ArrayLike<number>): ClassifierMetrics {
  return { auc: rocAuc(late, p), prAuc: averagePrecision(late, p), brier: brierScore(late, p), reliability: reliabilityCurve(late, p, 10), roc: rocCurve(late, p) };
}

export function quantileMetrics(delayMin: ArrayLike<number>, p50: ArrayLike<number>, p90: ArrayLike<number>): QuantileMetrics {
  return { mae: meanAbsoluteError(delayMin, p50), pinball50: pinballLoss(delayMin, p50, 0.5), pinball90: pinballLoss(delayMin, p90, 0.9), coverage90: coverage(delayMin, p90) };
}
