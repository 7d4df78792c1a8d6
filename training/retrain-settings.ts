import type { Config } from '../core/config';
import type { DriftThresholds } from './drift-check';
import type { RetrainJobDeps } from './retrain-job';

/** The retrain worker's settings from the configuration (one place, for the CLI and tests). */
export function retrainSettingsOf(config: Config): RetrainJobDeps['settings'] {
  return {
    databaseUrl: config.DATABASE_URL,
    logLevel: config.LOG_LEVEL,
    artifacts: { MODEL_ARTIFACTS_DIR: config.MODEL_ARTIFACTS_DIR, MODEL_ARTIFACTS_BUCKET: config.MODEL_ARTIFACTS_BUCKET },
    lateThresholdMin: config.LATE_THRESHOLD_MIN,
    holdoutMaxRows: config.RETRAIN_HOLDOUT_MAX_ROWS,
    margins: { minAucGain: config.RETRAIN_MIN_AUC_GAIN, maxBrierLoss: config.RETRAIN_MAX_BRIER_LOSS },
  };
}

export function driftThresholdsOf(config: Config): DriftThresholds {
  return {
    windowMs: config.DRIFT_WINDOW_MS, minPredictions: config.DRIFT_MIN_PREDICTIONS, psi: config.DRIFT_PSI_THRESHOLD,
    minOutcomes: config.DRIFT_MIN_OUTCOMES, maxAucDrop: config.DRIFT_MAX_AUC_DROP, maxBrierRise: config.DRIFT_MAX_BRIER_RISE,
    lateThresholdMin: config.LATE_THRESHOLD_MIN,
  };
}
