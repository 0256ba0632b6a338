import * as tf from '@tensorflow/tfjs-core';
import { checkMaskShapes, toValidityWeights, type IgnoreMask } from './point-weights.js';

/** Default ε of {@link diceLoss}: 1, as in Mask3D and AGILE3D (Laplace smoothing of the ratio). */
export const DEFAULT_DICE_EPSILON = 1;

/** Options of {@link diceLoss}. */
export interface DiceLossOptions {
  /** ε of Eq. 10, added to numerator and denominator. Default {@link DEFAULT_DICE_EPSILON}. */
  epsilon?: number;
  /** Points to leave out (unlabeled), `[pointCount]`, non-zero = ignore. Default: none. */
  ignoreMask?: IgnoreMask;
}

/**
 * Eq. 10: Dice loss 1 − (2 Σ m̂·m + ε) / (Σ m̂ + Σ m + ε) per mask, with m̂ = σ(logits), summed over
 * the non-ignored points, then averaged over the masks.
 *
 * @param logits Mask logits, `[pointCount, maskCount]` float32.
 * @param targets Ground-truth masks, `[pointCount, maskCount]`, values in [0, 1].
 * @returns Scalar loss in [0, 1].
 */
export function diceLoss(logits: tf.Tensor2D, targets: tf.Tensor2D, options: DiceLossOptions = {}): tf.Scalar {
  checkMaskShapes(logits, targets, 'diceLoss');
  const epsilon = options.epsilon ?? DEFAULT_DICE_EPSILON;
  const pointCount = logits.shape[0];
  return tf.tidy(() => {
    const validity = toValidityWeights(options.ignoreMask, pointCount, 'diceLoss');
    let probabilities: tf.Tensor = tf.sigmoid(logits); // [pointCount, maskCount]
    let truth: tf.Tensor = tf.cast(targets, 'float32');
    if (validity) {
      probabilities = tf.mul(probabilities, validity);
      truth = tf.mul(truth, validity);
    }
    const numerator = tf.add(tf.mul(tf.sum(tf.mul(probabilities, truth), 0), 2), epsilon); // [maskCount]
    const denominator = tf.add(tf.add(tf.sum(probabilities, 0), tf.sum(truth, 0)), epsilon);
    return tf.mean(tf.sub(1, tf.div(numerator, denominator))) as tf.Scalar;
  });
}
