import * as tf from '@tensorflow/tfjs-core';
import { checkMaskShapes, toValidityWeights, type IgnoreMask } from './point-weights.js';

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BinaryCrossEntropyOptions {
  /** Points to leave out (unlabeled), `[pointCount]`, non-zero = ignore. Default: none. */
  ignoreMask?: IgnoreMask;
}

/**
 * Element-wise binary cross-entropy from logits x and targets t, in the overflow-free form
 * max(x, 0) − x·t + log(1 + e^−|x|), which equals −t·log σ(x) − (1−t)·log(1−σ(x)).
 * The gradients are written out (∂/∂x = σ(x) − t, ∂/∂t = −x): the autodiff gradient of the stable
 * form has a kink at x = 0 (d|x|/dx and d max(x,0)/dx are both 0 there). Both inputs go through
 * `save`, since the gradient runs after the caller's tidy has released its intermediates.
 */
const stableBinaryCrossEntropy = tf.customGrad(((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, t, save] = inputs as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, t]);
  return {
    value: tf.tidy(() => tf.add(tf.sub(tf.relu(x), tf.mul(x, t)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))))),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedX, savedT] = saved;
      return [tf.mul(dy, tf.sub(tf.sigmoid(savedX), savedT)), tf.mul(dy, tf.neg(savedX))];
    },
  };
})) as (x: tf.Tensor2D, t: tf.Tensor2D) => tf.Tensor2D;

/**
 * Eq. 9: mean binary cross-entropy of mask logits against binary targets, computed stably from the
 * logits (finite for logits of any magnitude), averaged over the non-ignored points and the masks.
 *
 * @param logits Mask logits, `[pointCount, maskCount]` float32.
 * @param targets Ground-truth masks, `[pointCount, maskCount]`, values in [0, 1].
 * @returns Scalar loss in nats per point and mask; 0 when every point is ignored.
 */
export function binaryCrossEntropyWithLogits(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  options: BinaryCrossEntropyOptions = {},
): tf.Scalar {
  checkMaskShapes(logits, targets, 'binaryCrossEntropyWithLogits');
  const [pointCount, maskCount] = logits.shape;
  return tf.tidy(() => {
    const validity = toValidityWeights(options.ignoreMask, pointCount, 'binaryCrossEntropyWithLogits');
    let elementLoss: tf.Tensor = stableBinaryCrossEntropy(logits, tf.cast(targets, 'float32') as tf.Tensor2D); // [pointCount, maskCount]
    let validCount: tf.Tensor = tf.scalar(pointCount);
    if (validity) {
      elementLoss = tf.mul(elementLoss, validity);
      validCount = tf.sum(validity);
    }
    // max(·, 1) so an all-ignored batch gives 0, not NaN.
    return tf.div(tf.sum(elementLoss), tf.mul(tf.maximum(validCount, 1), Math.max(maskCount, 1))) as tf.Scalar;
  });
}
