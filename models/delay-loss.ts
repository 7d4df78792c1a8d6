import type * as tfTypes from '@tensorflow/tfjs';
import type { NetworkOutput } from './delay-network';
import type { Tf } from './tf-backend';

/** Mean pinball (quantile) loss of predictions `q` for quantile `tau`. */
export function pinball(tf: Tf, y: tfTypes.Tensor1D, q: tfTypes.Tensor1D, tau: number): tfTypes.Scalar {
  const diff = tf.sub(y, q);
  return tf.mean(tf.maximum(tf.mul(diff, tau), tf.mul(diff, tau - 1))) as tfTypes.Scalar;
}

/**
 * Training objective: binary cross-entropy of P(late) plus the pinball losses of the median
 * and the 90th percentile of the (scaled) delay, weighted by `quantileWeight`.
 */
export function delayLoss(tf: Tf, out: NetworkOutput, late: tfTypes.Tensor1D, delayScaled: tfTypes.Tensor1D, quantileWeight: number): tfTypes.Scalar {
  const bce = tf.losses.sigmoidCrossEntropy(late, out.logit) as tfTypes.Scalar;
  const quantiles = tf.add(pinball(tf, delayScaled, out.q50, 0.5), pinball(tf, delayScaled, out.q90, 0.9));
  return tf.add(bce, tf.mul(quantiles, quantileWeight)) as tfTypes.Scalar;
}
