import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { DelayModel } from '../models/delay-model';
import { parseDelayArtifact } from '../models/delay-model-artifact';
import type { ArtifactStore } from '../models/registry/artifact-store';
import type { TfRuntime } from '../models/tf-backend';
import type { HoldoutScore } from './champion-decision';
import { buildDriftReference, type DriftReference } from './drift-reference';
import { buildHoldout, predictHoldout, scoreOnHoldout } from './retrain-holdout';
import type { RetrainParameters } from './store/training-runs';
import { trainDelay, type DelayTrainingReport, type Hyperparameters } from './train-delay';

export interface RetrainTrainingOptions {
  db: Knex;
  logger: Logger;
  runtime: TfRuntime;
  store: ArtifactStore;
  tenant: string;
  lateThresholdMin: number;
  parameters: RetrainParameters;
  holdoutMaxRows: number;
  /** The champion to score on the same holdout, if there is one. */
  championArtifactUri?: string;
  onProgress: (phase: string, done: number, total: number) => void;
}

export interface RetrainTrainingResult {
  report: Omit<DelayTrainingReport, 'model' | 'baselines' | 'withoutRolling'> & { model: Record<string, unknown>; baselines: Record<string, unknown> };
  artifactJson: string;
  holdout: { from: number; to: number; rows: number };
  challenger: HoldoutScore;
  champion?: HoldoutScore;
  reference: DriftReference;
}

/**
 * The CPU-heavy part of a retrain: train a challenger (issue 4's trainDelay, without the
 * ablation), then score it and the champion on one recent holdout and keep the challenger's
 * reference distributions for drift checks. Nothing is written to the registry here.
 */
export async function trainAndEvaluate(o: RetrainTrainingOptions): Promise<RetrainTrainingResult> {
  const { report, artifact } = await trainDelay({
    db: o.db, logger: o.logger, runtime: o.runtime, tenant: o.tenant, lateThresholdMin: o.lateThresholdMin,
    from: o.parameters.from, to: o.parameters.to, sample: o.parameters.sample,
    hyperparameters: o.parameters.hyperparameters as Partial<Hyperparameters> | undefined,
    ablation: false, onProgress: o.onProgress,
  });
  const from = Date.parse(report.testFrom);
  const to = Date.parse(report.dataTo);
  const holdout = await buildHoldout(o.db, {
    tenant: o.tenant, from, to, maxRows: o.holdoutMaxRows, lateThresholdMin: o.lateThresholdMin,
    onProgress: (done, total) => o.onProgress('holdout: features', done, total),
  });
  o.onProgress('holdout: scoring', 0, 2);
  const challengerModel = DelayModel.fromArtifact(o.runtime.tf, artifact);
  const challengerP = predictHoldout(challengerModel, holdout);
  challengerModel.dispose();
  const challenger = scoreOnHoldout(holdout, challengerP);
  const champion = o.championArtifactUri ? await scoreChampion(o, o.championArtifactUri, holdout) : undefined;
  o.onProgress('holdout: scoring', 2, 2);
  const { model, baselines, withoutRolling: _ablation, ...rest } = report;
  return {
    report: { ...rest, model: withoutCurves(model), baselines: { constantRate: withoutCurves(baselines.constantRate), laneRate: withoutCurves(baselines.laneRate) } },
    artifactJson: JSON.stringify(artifact),
    holdout: { from, to, rows: holdout.dataset.size },
    challenger,
    ...(champion ? { champion } : {}),
    reference: buildDriftReference(holdout, challengerP.pLate),
  };
}

async function scoreChampion(o: RetrainTrainingOptions, uri: string, holdout: Awaited<ReturnType<typeof buildHoldout>>): Promise<HoldoutScore> {
  const model = DelayModel.fromArtifact(o.runtime.tf, parseDelayArtifact((await o.store.get(uri)).toString('utf8')));
  try {
    return scoreOnHoldout(holdout, predictHoldout(model, holdout));
  } finally {
    model.dispose();
  }
}

/** Registry metrics stay small: the curves belong in the evaluation report, not in every row. */
function withoutCurves<T extends object>(m: T): Record<string, unknown> {
  const { roc: _roc, reliability: _rel, history: _h, ...rest } = m as Record<string, unknown>;
  return rest;
}
