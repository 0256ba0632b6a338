import * as tf from '@tensorflow/tfjs-core';

const TWO_SQRT_2_OVER_PI = 2 * Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation, written as x · sigmoid(2u) with u = √(2/π)(x + 0.044715 x³) — the same
 * function as `@pointclick/nn`'s `0.5 x (1 + tanh u)` (since (1 + tanh u) / 2 = sigmoid(2u)) but without
 * the Pow and Tanh kernels, which the wasm backend runs as slow scalar loops (measured ~25 % of a `lite`
 * forward pass).
 */
export function fastGelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const cube = tf.mul(tf.mul(x, x), x);
    const inner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), TWO_SQRT_2_OVER_PI);
    return tf.mul(x, tf.sigmoid(inner));
  });
}
