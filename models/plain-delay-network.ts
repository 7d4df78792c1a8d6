import { decodeWeight, type DelayModelArtifact } from './delay-model-artifact';
import type { DelayPredictions } from './delay-model';
import type { EncodedBatch } from './feature-encoder';

/**
 * Per leg of a batch: P(late) with each rolling input in turn at its training mean (the
 * baseline of the top-features explanation, docs/MODEL.md): both of its standardised dense
 * columns, value and missing flag, set to 0, which is their mean on the training data.
 */
export interface Occlusion {
  /** size × rolling.length, row-major. */
  pLate: Float64Array;
  rolling: readonly string[];
}

/**
 * The delay network of delay-network.ts evaluated in plain JavaScript on the artifact's weights,
 * for serving a handful of legs at a time: no tensors, no backend calls, so one leg costs
 * microseconds instead of the per-call overhead of TensorFlow.js. Embeddings are row lookups
 * (what the one-hot product computes); sums run in float64 and the outputs are rounded to
 * float32 as TensorFlow.js returns them. A unit test keeps it equal to DelayModel.predict.
 *
 * Occlusion (the top-features explanation) reuses the first layer: setting one rolling input
 * to its training mean changes two standardised dense columns (value and missing flag, both to
 * 0), so the occluded first-layer sums are the leg's sums minus two weighted rows, not a new
 * forward pass.
 */
export class PlainDelayNetwork {
  private readonly hubE: Float64Array;
  private readonly laneE: Float64Array;
  private readonly w1: Float64Array;
  private readonly b1: Float64Array;
  private readonly w2: Float64Array;
  private readonly b2: Float64Array;
  private readonly wOut: Float64Array;
  private readonly bOut: Float64Array;
  private readonly dense: number;
  private readonly hubDim: number;
  private readonly laneDim: number;
  private readonly h1: number;
  private readonly h2: number;
  private readonly scale: number;
  /** First dense column of the rolling values; their missing flags follow all of them. */
  private readonly rollingStart: number;
  /** Scratch for the second layer. */
  private readonly a2: Float64Array;
  readonly rolling: readonly string[];

  constructor(artifact: DelayModelArtifact) {
    const w = (name: string) => {
      const weight = artifact.weights[name];
      if (!weight) throw new Error(`delay network: missing parameter ${name}`);
      return Float64Array.from(decodeWeight(weight));
    };
    const { shape, encoder } = artifact;
    this.hubE = w('hubEmbedding');
    this.laneE = w('laneEmbedding');
    this.w1 = w('w1');
    this.b1 = w('b1');
    this.w2 = w('w2');
    this.b2 = w('b2');
    this.wOut = w('wOut');
    this.bOut = w('bOut');
    this.dense = encoder.columns.length;
    this.hubDim = shape.hubDim;
    this.laneDim = shape.laneDim;
    [this.h1, this.h2] = shape.hidden;
    this.a2 = new Float64Array(this.h2);
    if (this.w1.length !== (this.dense + 2 * this.hubDim + this.laneDim) * this.h1) throw new Error('delay network: w1 does not fit the encoder columns');
    this.scale = artifact.delayScaleMin;
    this.rolling = [...encoder.rolling];
    this.rollingStart = this.dense - 2 * this.rolling.length;
  }

  predict(batch: EncodedBatch): DelayPredictions {
    return this.run(batch, false).predictions;
  }

  /** Predictions and, per leg and rolling input, P(late) with that input at its training mean. */
  predictWithOcclusion(batch: EncodedBatch): { predictions: DelayPredictions; occlusion: Occlusion } {
    const { predictions, occluded } = this.run(batch, true);
    return { predictions, occlusion: { pLate: occluded, rolling: this.rolling } };
  }

  private run(batch: EncodedBatch, occlude: boolean): { predictions: DelayPredictions; occluded: Float64Array } {
    const n = batch.size;
    const r = this.rolling.length;
    const predictions: DelayPredictions = { pLate: new Float32Array(n), p50Min: new Float32Array(n), p90Min: new Float32Array(n) };
    const occluded = new Float64Array(occlude ? n * r : 0);
    const z1 = new Float64Array(this.h1);
    const zo = new Float64Array(this.h1);
    const out = new Float64Array(3);
    const h1 = this.h1;
    const w1 = this.w1;
    for (let i = 0; i < n; i++) {
      this.firstLayer(batch, i, z1);
      this.head(z1, out);
      predictions.pLate[i] = sigmoid(out[0] as number);
      predictions.p50Min[i] = (out[1] as number) * this.scale;
      predictions.p90Min[i] = ((out[1] as number) + softplus(out[2] as number)) * this.scale;
      if (!occlude) continue;
      const row = i * this.dense;
      for (let k = 0; k < r; k++) {
        const vc = this.rollingStart + k;
        const mc = vc + r;
        // Both columns to 0 (their training means): the sums lose what the leg's values added.
        const dv = -(batch.dense[row + vc] as number);
        const dm = -(batch.dense[row + mc] as number);
        if (dv === 0 && dm === 0) {
          occluded[i * r + k] = predictions.pLate[i] as number;
          continue;
        }
        const a = vc * h1;
        const b = mc * h1;
        for (let h = 0; h < h1; h++) zo[h] = (z1[h] as number) + dv * (w1[a + h] as number) + dm * (w1[b + h] as number);
        occluded[i * r + k] = Math.fround(sigmoid(this.logit(zo)));
      }
    }
    return { predictions, occluded };
  }

  /** Pre-activation sums of the first layer for row i. */
  private firstLayer(batch: EncodedBatch, i: number, z: Float64Array): void {
    const h1 = this.h1;
    const w1 = this.w1;
    z.set(this.b1);
    const row = i * this.dense;
    for (let c = 0; c < this.dense; c++) {
      const x = batch.dense[row + c] as number;
      if (x === 0) continue;
      const o = c * h1;
      axpy(z, x, w1, o, h1);
    }
    this.addEmbedding(z, this.hubE, batch.origin[i] as number, this.hubDim, this.dense);
    this.addEmbedding(z, this.hubE, batch.destination[i] as number, this.hubDim, this.dense + this.hubDim);
    this.addEmbedding(z, this.laneE, batch.lane[i] as number, this.laneDim, this.dense + 2 * this.hubDim);
  }

  /** Row `id` of an embedding table, entering the first layer at input column `col`. */
  private addEmbedding(z: Float64Array, table: Float64Array, id: number, dim: number, col: number): void {
    const h1 = this.h1;
    const w1 = this.w1;
    for (let d = 0; d < dim; d++) {
      const x = table[id * dim + d] as number;
      const o = (col + d) * h1;
      axpy(z, x, w1, o, h1);
    }
  }

  /** ReLU, the second layer, ReLU and the three outputs, from the first layer's sums. */
  private head(z1: Float64Array, out: Float64Array): void {
    const a2 = this.secondLayer(z1);
    const wOut = this.wOut;
    let o0 = this.bOut[0] as number;
    let o1 = this.bOut[1] as number;
    let o2 = this.bOut[2] as number;
    for (let j = 0; j < this.h2; j++) {
      const x = a2[j] as number;
      if (!(x > 0)) continue;
      o0 += x * (wOut[j * 3] as number);
      o1 += x * (wOut[j * 3 + 1] as number);
      o2 += x * (wOut[j * 3 + 2] as number);
    }
    out[0] = o0;
    out[1] = o1;
    out[2] = o2;
  }

  /** The logit of P(late) alone (all occlusion needs). */
  private logit(z1: Float64Array): number {
    const a2 = this.secondLayer(z1);
    const wOut = this.wOut;
    let o0 = this.bOut[0] as number;
    for (let j = 0; j < this.h2; j++) {
      const x = a2[j] as number;
      if (x > 0) o0 += x * (wOut[j * 3] as number);
    }
    return o0;
  }

  /** Pre-activation sums of the second layer from the first layer's (ReLU skips inactive units; axpy is the hot loop). */
  private secondLayer(z1: Float64Array): Float64Array {
    const h1 = this.h1;
    const h2 = this.h2;
    const a2 = this.a2;
    a2.set(this.b2);
    for (let h = 0; h < h1; h++) {
      const x = z1[h] as number;
      if (x > 0) axpy(a2, x, this.w2, h * h2, h2);
    }
    return a2;
  }
}

/** z[0..n) += x · w[o..o+n), unrolled by 4. */
function axpy(z: Float64Array, x: number, w: Float64Array, o: number, n: number): void {
  const even = n - (n % 4);
  let h = 0;
  for (; h < even; h += 4) {
    z[h] = (z[h] as number) + x * (w[o + h] as number);
    z[h + 1] = (z[h + 1] as number) + x * (w[o + h + 1] as number);
    z[h + 2] = (z[h + 2] as number) + x * (w[o + h + 2] as number);
    z[h + 3] = (z[h + 3] as number) + x * (w[o + h + 3] as number);
  }
  for (; h < n; h++) z[h] = (z[h] as number) + x * (w[o + h] as number);
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
