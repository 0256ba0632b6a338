import * as tf from '@tensorflow/tfjs-core';

/**
 * Stochastic depth (timm `DropPath`) on `[rows, channels]`: in training every row (point) of a residual
 * branch is zeroed with probability `rate` and the survivors are scaled by 1 / (1 - rate); identity
 * otherwise.
 */
export function dropPath(input: tf.Tensor2D, rate: number, training: boolean, seed: number): tf.Tensor2D {
  if (!training || rate <= 0) return input;
  return tf.tidy(() => {
    const keep = 1 - rate;
    const mask = tf.floor(tf.add(tf.randomUniform([input.shape[0], 1], 0, 1, 'float32', seed), keep)); // [rows, 1]
    return tf.mul(input, tf.div(mask, keep)) as tf.Tensor2D;
  });
}
