import * as tf from '@tensorflow/tfjs-core';
import { LossInputError } from './loss-input-error.js';

/**
 * Per-point ignore flags: element i non-zero (or `true`) means point i is unlabeled and contributes
 * nothing to a mask loss. A tensor must be `[pointCount]`.
 */
export type IgnoreMask = tf.Tensor1D | ArrayLike<number | boolean>;

/**
 * Turns an ignore mask into validity weights `[pointCount, 1]` (1 = counted, 0 = ignored), or
 * `undefined` when every point counts.
 */
export function toValidityWeights(
  ignoreMask: IgnoreMask | undefined,
  pointCount: number,
  functionName: string,
): tf.Tensor2D | undefined {
  if (ignoreMask === undefined) return undefined;
  if (ignoreMask instanceof tf.Tensor) {
    if (ignoreMask.rank !== 1 || ignoreMask.shape[0] !== pointCount) {
      throw new LossInputError(functionName, 'ignoreMask.shape', `[${pointCount}]`, `[${ignoreMask.shape}]`);
    }
    return tf.tidy(() => tf.reshape(tf.cast(tf.equal(ignoreMask, 0), 'float32'), [pointCount, 1]) as tf.Tensor2D);
  }
  if (ignoreMask.length !== pointCount) {
    throw new LossInputError(functionName, 'ignoreMask.length', String(pointCount), String(ignoreMask.length));
  }
  const valid = new Float32Array(pointCount);
  for (let index = 0; index < pointCount; index++) valid[index] = ignoreMask[index] ? 0 : 1;
  return tf.tensor2d(valid, [pointCount, 1]);
}

/** Checks that `logits` and `targets` are both `[pointCount, maskCount]`. */
export function checkMaskShapes(logits: tf.Tensor, targets: tf.Tensor, functionName: string): void {
  if (logits.rank !== 2) throw new LossInputError(functionName, 'logits.rank', '2 ([pointCount, maskCount])', String(logits.rank));
  if (targets.shape.join(',') !== logits.shape.join(',')) {
    throw new LossInputError(functionName, 'targets.shape', `[${logits.shape}] like logits`, `[${targets.shape}]`);
  }
}
