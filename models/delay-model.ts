import type * as tfTypes from '@tensorflow/tfjs';
import { decodeWeight, type DelayModelArtifact } from './delay-model-artifact';
import { batchTensors, forward, type NetworkParams } from './delay-network';
import { encode, indexOf, type EncodedBatch, type EncoderIndex } from './feature-encoder';
import type { LegExample } from './leg-example';
import type { Tf } from './tf-backend';

export interface DelayPredictions {
  pLate: Float32Array;
  p50Min: Float32Array;
  p90Min: Float32Array;
}

const scoringBatch = 8192;

/** A trained delay model ready to score: serving and evaluation both use this. */
export class DelayModel {
  private readonly index: EncoderIndex;

  constructor(private readonly tf: Tf, readonly artifact: DelayModelArtifact, private readonly params: NetworkParams) {
    this.index = indexOf(artifact.encoder);
  }

  static fromArtifact(tf: Tf, artifact: DelayModelArtifact): DelayModel {
    const params: NetworkParams = {};
    for (const [name, w] of Object.entries(artifact.weights)) params[name] = tf.variable(tf.tensor(decodeWeight(w), w.shape), false, undefined);
    return new DelayModel(tf, artifact, params);
  }

  /** The rolling inputs this model reads (`<role>:<feature>`). */
  get rollingInputs(): string[] {
    return this.artifact.encoder.rolling;
  }

  encode(examples: readonly LegExample[]): EncodedBatch {
    return encode(this.artifact.encoder, examples, this.index);
  }

  predict(examples: readonly LegExample[]): DelayPredictions {
    return this.predictEncoded(this.encode(examples));
  }

  predictEncoded(batch: EncodedBatch): DelayPredictions {
    const n = batch.size;
    const out: DelayPredictions = { pLate: new Float32Array(n), p50Min: new Float32Array(n), p90Min: new Float32Array(n) };
    const scale = this.artifact.delayScaleMin;
    for (let start = 0; start < n; start += scoringBatch) {
      const end = Math.min(n, start + scoringBatch);
      const [p, q50, q90] = this.tf.tidy(() => {
        const o = forward(this.tf, this.params, batchTensors(this.tf, batch, start, end));
        return [this.tf.sigmoid(o.logit), o.q50.mul(scale), o.q90.mul(scale)] as tfTypes.Tensor[];
      }) as [tfTypes.Tensor, tfTypes.Tensor, tfTypes.Tensor];
      out.pLate.set(p.dataSync() as Float32Array, start);
      out.p50Min.set(q50.dataSync() as Float32Array, start);
      out.p90Min.set(q90.dataSync() as Float32Array, start);
      this.tf.dispose([p, q50, q90]);
    }
    return out;
  }

  dispose(): void {
    this.tf.dispose(Object.values(this.params));
  }
}
