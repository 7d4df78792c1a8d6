import type * as tfTypes from '@tensorflow/tfjs';
import { delayLoss } from '../models/delay-loss';
import { batchTensors, forward, initParams, type NetworkParams, type NetworkShape } from '../models/delay-network';
import type { EncodedBatch } from '../models/feature-encoder';
import type { Tf } from '../models/tf-backend';
import { mulberry32, shuffled } from './seeded-random';

export interface Labels {
  late: Float32Array;
  /** Delay in minutes divided by the artifact's delay scale. */
  delayScaled: Float32Array;
}

export interface FitOptions {
  shape: NetworkShape;
  epochs: number;
  batchSize: number;
  learningRate: number;
  quantileWeight: number;
  seed: number;
  /** Stop after this many epochs without a better validation loss. */
  patience: number;
  onBatch?: (epoch: number, batch: number, batches: number) => void;
  onEpoch?: (epoch: number, trainLoss: number, validLoss: number) => void;
}

export interface FitResult {
  params: NetworkParams;
  bestEpoch: number;
  epochsRun: number;
  history: { epoch: number; trainLoss: number; validLoss: number }[];
}

/**
 * Mini-batch Adam on the training part; after every epoch the loss on the validation part
 * (later in time than the training part) picks the best weights so far and stops early.
 */
export async function fitDelayNetwork(tf: Tf, train: EncodedBatch, trainY: Labels, valid: EncodedBatch, validY: Labels, o: FitOptions): Promise<FitResult> {
  const params = initParams(tf, o.shape, o.seed);
  const optimizer = tf.train.adam(o.learningRate);
  const random = mulberry32(o.seed);
  let best: { loss: number; epoch: number; weights: tfTypes.Tensor[] } | undefined;
  const history: FitResult['history'] = [];
  let epoch = 0;
  for (; epoch < o.epochs; epoch++) {
    const order = shuffled(train.size, random);
    const batches = Math.ceil(train.size / o.batchSize);
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const rows = order.subarray(b * o.batchSize, Math.min(train.size, (b + 1) * o.batchSize));
      const batch = takeRows(train, trainY, rows);
      const loss = optimizer.minimize(() => tf.tidy(() => {
        const out = forward(tf, params, batchTensors(tf, batch.x, 0, rows.length));
        return delayLoss(tf, out, tf.tensor1d(batch.y.late), tf.tensor1d(batch.y.delayScaled), o.quantileWeight);
      }), true, Object.values(params)) as tfTypes.Scalar;
      lossSum += (await loss.data())[0] as number;
      loss.dispose();
      o.onBatch?.(epoch, b + 1, batches);
    }
    const validLoss = evaluateLoss(tf, params, valid, validY, o);
    history.push({ epoch: epoch + 1, trainLoss: lossSum / batches, validLoss });
    o.onEpoch?.(epoch + 1, lossSum / batches, validLoss);
    if (!best || validLoss < best.loss) {
      if (best) tf.dispose(best.weights);
      best = { loss: validLoss, epoch: epoch + 1, weights: Object.values(params).map((p) => p.clone()) };
    } else if (epoch + 1 - best.epoch >= o.patience) {
      epoch++;
      break;
    }
  }
  optimizer.dispose();
  if (best) Object.values(params).forEach((p, i) => p.assign(best.weights[i] as tfTypes.Tensor));
  if (best) tf.dispose(best.weights);
  return { params, bestEpoch: best?.epoch ?? 0, epochsRun: epoch, history };
}

/** Mean objective over a whole encoded set, in chunks. */
export function evaluateLoss(tf: Tf, params: NetworkParams, x: EncodedBatch, y: Labels, o: Pick<FitOptions, 'quantileWeight'>): number {
  const chunk = 16_384;
  let total = 0;
  for (let start = 0; start < x.size; start += chunk) {
    const end = Math.min(x.size, start + chunk);
    const loss = tf.tidy(() => {
      const out = forward(tf, params, batchTensors(tf, x, start, end));
      return delayLoss(tf, out, tf.tensor1d(y.late.subarray(start, end)), tf.tensor1d(y.delayScaled.subarray(start, end)), o.quantileWeight);
    });
    total += (loss.dataSync()[0] as number) * (end - start);
    loss.dispose();
  }
  return x.size > 0 ? total / x.size : Number.NaN;
}

/** Copies the given rows into a contiguous batch. */
export function takeRows(x: EncodedBatch, y: Labels, rows: ArrayLike<number>): { x: EncodedBatch; y: Labels } {
  const n = rows.length;
  const width = x.size > 0 ? x.dense.length / x.size : 0;
  const out: EncodedBatch = { size: n, origin: new Int32Array(n), destination: new Int32Array(n), lane: new Int32Array(n), dense: new Float32Array(n * width) };
  const labels: Labels = { late: new Float32Array(n), delayScaled: new Float32Array(n) };
  for (let k = 0; k < n; k++) {
    const i = rows[k] as number;
    out.origin[k] = x.origin[i] as number;
    out.destination[k] = x.destination[i] as number;
    out.lane[k] = x.lane[i] as number;
    out.dense.set(x.dense.subarray(i * width, (i + 1) * width), k * width);
    labels.late[k] = y.late[i] as number;
    labels.delayScaled[k] = y.delayScaled[i] as number;
  }
  return { x: out, y: labels };
}
