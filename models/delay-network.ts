import type * as tfTypes from '@tensorflow/tfjs';
import type { EncodedBatch } from './feature-encoder';
import type { Tf } from './tf-backend';

/**
 * The delay network: hub and lane embeddings next to the dense inputs, two ReLU layers, and
 * three outputs: the logit of P(late) and the 50th and 90th percentiles of the delay (in units
 * of `delayScaleMin`; p90 = p50 + softplus, so it never falls below the median).
 *
 * Embeddings are one-hot products rather than gathers: the wasm backend has no gradient for
 * gather (UnsortedSegmentSum), and with a few hundred hubs the product is cheap.
 */
export interface NetworkShape {
  dense: number;
  hubs: number;
  lanes: number;
  hubDim: number;
  laneDim: number;
  hidden: [number, number];
}

export type NetworkParams = Record<string, tfTypes.Variable>;

export interface NetworkOutput {
  logit: tfTypes.Tensor1D;
  q50: tfTypes.Tensor1D;
  q90: tfTypes.Tensor1D;
}

/** Initial weights (He-normal for ReLU layers, zeros for biases), seeded. Unnamed: TF.js names must be unique per process, and a worker trains many times. */
export function initParams(tf: Tf, shape: NetworkShape, seed: number): NetworkParams {
  const inputWidth = shape.dense + 2 * shape.hubDim + shape.laneDim;
  const he = (rows: number, cols: number, s: number) => tf.randomNormal([rows, cols], 0, Math.sqrt(2 / rows), 'float32', s);
  return {
    hubEmbedding: tf.variable(tf.randomNormal([shape.hubs + 1, shape.hubDim], 0, 0.05, 'float32', seed)),
    laneEmbedding: tf.variable(tf.randomNormal([shape.lanes + 1, shape.laneDim], 0, 0.05, 'float32', seed + 1)),
    w1: tf.variable(he(inputWidth, shape.hidden[0], seed + 2)),
    b1: tf.variable(tf.zeros([shape.hidden[0]])),
    w2: tf.variable(he(shape.hidden[0], shape.hidden[1], seed + 3)),
    b2: tf.variable(tf.zeros([shape.hidden[1]])),
    wOut: tf.variable(tf.randomNormal([shape.hidden[1], 3], 0, 0.01, 'float32', seed + 4)),
    bOut: tf.variable(tf.zeros([3])),
  };
}

export interface BatchTensors {
  dense: tfTypes.Tensor2D;
  origin: tfTypes.Tensor1D;
  destination: tfTypes.Tensor1D;
  lane: tfTypes.Tensor1D;
}

/** Rows [start, end) of an encoded batch as tensors (caller disposes, e.g. inside tf.tidy). */
export function batchTensors(tf: Tf, b: EncodedBatch, start: number, end: number): BatchTensors {
  const width = b.size > 0 ? b.dense.length / b.size : 0;
  return {
    dense: tf.tensor2d(b.dense.subarray(start * width, end * width), [end - start, width]),
    origin: tf.tensor1d(b.origin.subarray(start, end), 'int32'),
    destination: tf.tensor1d(b.destination.subarray(start, end), 'int32'),
    lane: tf.tensor1d(b.lane.subarray(start, end), 'int32'),
  };
}

const param = (p: NetworkParams, name: string): tfTypes.Variable => {
  const v = p[name];
  if (!v) throw new Error(`delay network: missing parameter ${name}`);
  return v;
};

export function forward(tf: Tf, p: NetworkParams, x: BatchTensors): NetworkOutput {
  const hubE = param(p, 'hubEmbedding');
  const laneE = param(p, 'laneEmbedding');
  const embed = (ids: tfTypes.Tensor1D, table: tfTypes.Variable) => tf.matMul(tf.oneHot(ids, table.shape[0] as number).toFloat(), table);
  const input = tf.concat([x.dense, embed(x.origin, hubE), embed(x.destination, hubE), embed(x.lane, laneE)], 1);
  const h1 = tf.relu(tf.add(tf.matMul(input, param(p, 'w1')), param(p, 'b1')));
  const h2 = tf.relu(tf.add(tf.matMul(h1, param(p, 'w2')), param(p, 'b2')));
  const out = tf.add(tf.matMul(h2, param(p, 'wOut')), param(p, 'bOut'));
  const [logit, q50, gap] = tf.split(out, 3, 1) as [tfTypes.Tensor2D, tfTypes.Tensor2D, tfTypes.Tensor2D];
  return {
    logit: logit.reshape([-1]) as tfTypes.Tensor1D,
    q50: q50.reshape([-1]) as tfTypes.Tensor1D,
    q90: tf.add(q50, tf.softplus(gap)).reshape([-1]) as tfTypes.Tensor1D,
  };
}
