import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { FeatureStatePrunedError, firstReadableAt, readPrunedBefore } from '../features';
import { delayArtifactFormat, encodeWeights, type DelayModelArtifact } from '../models/delay-model-artifact';
import { DelayModel } from '../models/delay-model';
import { delayFeatureCatalog } from '../models/delay-feature-catalog';
import type { NetworkShape } from '../models/delay-network';
import { fitEncoder, type EncoderState } from '../models/feature-encoder';
import type { TfRuntime } from '../models/tf-backend';
import { buildDelayDataset } from './build-delay-dataset';
import type { DelayDataset } from './delay-dataset';
import { encodeRange, examplesOf, type RowRange } from './encode-dataset';
import { classifierMetrics, quantileMetrics, type ClassifierMetrics, type QuantileMetrics } from './evaluate-predictions';
import { fitDelayNetwork, type Labels } from './fit-delay-network';
import { fitLaneRate } from './lane-rate-baseline';
import { featureGroups, permutationImportance, type Importance } from './permutation-importance';
import { temporalSplit } from './temporal-split';
import { legTimeRange } from './store/leg-time-range';

export interface Hyperparameters {
  epochs: number;
  batchSize: number;
  learningRate: number;
  quantileWeight: number;
  patience: number;
  hubDim: number;
  laneDim: number;
  hidden: [number, number];
  maxLanes: number;
  minCount: number;
  delayScaleMin: number;
  /** Month as an input (see EncoderState.month). */
  month: boolean;
  seed: number;
}

export const defaultHyperparameters: Hyperparameters = {
  epochs: 10, batchSize: 4096, learningRate: 0.003, quantileWeight: 0.5, patience: 2,
  hubDim: 8, laneDim: 8, hidden: [64, 32], maxLanes: 1500, minCount: 20, delayScaleMin: 30, month: true, seed: 42,
};

export interface TrainDelayOptions {
  db: Knex;
  logger: Logger;
  runtime: TfRuntime;
  tenant: string;
  lateThresholdMin: number;
  from?: number;
  to?: number;
  sample?: number;
  hyperparameters?: Partial<Hyperparameters>;
  /** Also train the same model without rolling features (the ablation); default true. */
  ablation?: boolean;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface VariantResult extends ClassifierMetrics, QuantileMetrics {
  bestEpoch: number;
  epochsRun: number;
  trainSeconds: number;
  history: { epoch: number; trainLoss: number; validLoss: number }[];
}

export interface DelayTrainingReport {
  tenant: string;
  backend: string;
  dataFrom: string;
  dataTo: string;
  validFrom: string;
  testFrom: string;
  rows: { total: number; fit: number; valid: number; test: number };
  lateThresholdMin: number;
  testLateRate: number;
  datasetSeconds: number;
  hyperparameters: Hyperparameters;
  model: VariantResult;
  withoutRolling?: VariantResult;
  baselines: { constantRate: ClassifierMetrics & { rate: number }; laneRate: ClassifierMetrics };
  importance: Importance[];
  features: string[];
}

export interface TrainDelayResult {
  report: DelayTrainingReport;
  artifact: DelayModelArtifact;
}

/**
 * One training run: the point-in-time dataset, the temporal split, the model with and without
 * rolling features, the baselines, every metric on the test part (touched once, at the end),
 * and the artifact of the model with rolling features.
 */
export async function trainDelay(o: TrainDelayOptions): Promise<TrainDelayResult> {
  const hp = { ...defaultHyperparameters, ...o.hyperparameters };
  const range = o.from !== undefined && o.to !== undefined ? { from: o.from, to: o.to } : await legTimeRange(o.db, o.tenant, o.from, o.to);
  const prunedBefore = o.from === undefined ? await readPrunedBefore(o.db) : null;
  const firstReadable = prunedBefore === null ? null : firstReadableAt(prunedBefore, delayFeatureCatalog);
  if (prunedBefore !== null && firstReadable !== null && range.from < firstReadable) {
    // Without an asked-for start, train on what the feature retention kept rather than fail.
    range.from = firstReadable;
    if (range.from >= range.to) {
      throw new FeatureStatePrunedError(
        `every labelled leg of tenant ${o.tenant} departs before ${new Date(range.from).toISOString()}, the first instant whose features the retention kept (flowcast features prune): nothing to train on`,
        { at: range.to, firstReadableAt: range.from, prunedBefore },
      );
    }
    o.logger.info({ from: new Date(range.from).toISOString() }, 'legs before the feature retention horizon left out');
  }
  const datasetStarted = Date.now();
  const ds = await buildDelayDataset({
    db: o.db, tenant: o.tenant, catalog: delayFeatureCatalog, from: range.from, to: range.to, sample: o.sample, seed: hp.seed,
    onProgress: (done, total) => o.onProgress?.('features', done, total),
  });
  const datasetSeconds = (Date.now() - datasetStarted) / 1000;
  const split = temporalSplit(ds.plannedDeparture, range.from, range.to);
  o.logger.info({ rows: ds.size, fit: split.fit[1] - split.fit[0], valid: split.valid[1] - split.valid[0], test: split.test[1] - split.test[0], datasetSeconds }, 'delay dataset built');
  const labels = labelsOf(ds, o.lateThresholdMin, hp.delayScaleMin);

  const withRolling = await trainVariant(o, hp, ds, labels, split, ds.rollingNames, 'model');
  const withoutRolling = o.ablation === false ? undefined : await trainVariant(o, hp, ds, labels, split, [], 'model without rolling features');

  const testLate = labels.late.subarray(...split.test);
  const trainLate = labels.late.subarray(0, split.valid[1]);
  const rate = mean(trainLate);
  const laneRate = fitLaneRate(ds.from.slice(0, split.valid[1]), ds.to.slice(0, split.valid[1]), trainLate);
  const testLane = Float32Array.from({ length: testLate.length }, (_, k) => laneRate(ds.from[split.test[0] + k] as string, ds.to[split.test[0] + k] as string));
  o.onProgress?.('importance', 0, 1);
  const importance = importanceOnValidation(withRolling.model, ds, labels, split.valid, hp.seed);
  o.onProgress?.('importance', 1, 1);
  const artifact = withRolling.model.artifact;
  withRolling.model.dispose();
  withoutRolling?.model.dispose();
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    artifact,
    report: {
      tenant: o.tenant, backend: o.runtime.backend, dataFrom: iso(range.from), dataTo: iso(range.to), validFrom: iso(split.validFrom), testFrom: iso(split.testFrom),
      rows: { total: ds.size, fit: split.fit[1] - split.fit[0], valid: split.valid[1] - split.valid[0], test: split.test[1] - split.test[0] },
      lateThresholdMin: o.lateThresholdMin, testLateRate: mean(testLate), datasetSeconds, hyperparameters: hp,
      model: withRolling.result, ...(withoutRolling ? { withoutRolling: withoutRolling.result } : {}),
      baselines: { constantRate: { ...classifierMetrics(testLate, new Float32Array(testLate.length).fill(rate)), rate }, laneRate: classifierMetrics(testLate, testLane) },
      importance, features: artifact.encoder.rolling,
    },
  };
}

function labelsOf(ds: DelayDataset, thresholdMin: number, scale: number): Labels {
  return {
    late: Float32Array.from(ds.delayMin, (d) => (d > thresholdMin ? 1 : 0)),
    delayScaled: Float32Array.from(ds.delayMin, (d) => d / scale),
  };
}

async function trainVariant(
  o: TrainDelayOptions, hp: Hyperparameters, ds: DelayDataset, labels: Labels,
  split: ReturnType<typeof temporalSplit>, rolling: string[], label: string,
): Promise<{ model: DelayModel; result: VariantResult }> {
  const { tf } = o.runtime;
  const encoder: EncoderState = fitEncoder(examplesOf(ds, split.fit, rolling.length > 0), { rolling, minCount: hp.minCount, maxLanes: hp.maxLanes, month: hp.month });
  const fitX = encodeRange(encoder, ds, split.fit);
  const validX = encodeRange(encoder, ds, split.valid);
  const shape: NetworkShape = { dense: encoder.columns.length, hubs: encoder.hubs.length, lanes: encoder.lanes.length, hubDim: hp.hubDim, laneDim: hp.laneDim, hidden: hp.hidden };
  const started = Date.now();
  const fit = await fitDelayNetwork(tf, fitX, sub(labels, split.fit), validX, sub(labels, split.valid), {
    shape, epochs: hp.epochs, batchSize: hp.batchSize, learningRate: hp.learningRate, quantileWeight: hp.quantileWeight, seed: hp.seed, patience: hp.patience,
    onBatch: (epoch, b, n) => o.onProgress?.(`${label}: epoch ${epoch + 1}/${hp.epochs}`, b, n),
    onEpoch: (epoch, trainLoss, validLoss) => o.logger.info({ variant: label, epoch, trainLoss, validLoss }, 'epoch done'),
  });
  const trainSeconds = (Date.now() - started) / 1000;
  const artifact: DelayModelArtifact = {
    format: delayArtifactFormat, lateThresholdMin: o.lateThresholdMin, delayScaleMin: hp.delayScaleMin, encoder, shape, weights: encodeWeights(fit.params),
  };
  tf.dispose(Object.values(fit.params));
  const model = DelayModel.fromArtifact(tf, artifact);
  // The test part, touched once: after training and tuning are over.
  const test = model.predictEncoded(encodeRange(encoder, ds, split.test));
  const testLate = labels.late.subarray(...split.test);
  const testDelay = ds.delayMin.subarray(...split.test);
  return {
    model,
    result: {
      ...classifierMetrics(testLate, test.pLate), ...quantileMetrics(testDelay, test.p50Min, test.p90Min),
      bestEpoch: fit.bestEpoch, epochsRun: fit.epochsRun, trainSeconds, history: fit.history,
    },
  };
}

const importanceRows = 30_000;

/** Permutation importance on (a slice of) the validation part, not the test part. */
function importanceOnValidation(model: DelayModel, ds: DelayDataset, labels: Labels, valid: RowRange, seed: number): Importance[] {
  const end = Math.min(valid[1], valid[0] + importanceRows);
  const x = encodeRange(model.artifact.encoder, ds, [valid[0], end]);
  return permutationImportance(model, x, labels.late.subarray(valid[0], end), featureGroups(model.artifact.encoder.columns.map((c) => c.name)), seed);
}

const sub = (l: Labels, [a, b]: RowRange): Labels => ({ late: l.late.subarray(a, b), delayScaled: l.delayScaled.subarray(a, b) });

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return a.length ? s / a.length : Number.NaN;
}
