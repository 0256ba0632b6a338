import * as tf from '@tensorflow/tfjs-core';

const TWO_SQRT_2_OVER_PI = 2 * Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (Hendrycks & Gimpel): gelu(x) = 0.5 x (1 + tanh u), u = √(2/π) (x + 0.044715 x³).
 * Computed as x · sigmoid(2u), the same function ((1 + tanh u) / 2 = sigmoid(2u)) without the Pow and Tanh
 * kernels, which the wasm backend runs as slow scalar loops (they were ~25 % of a `lite` PTv3 forward pass).
 * Built from ops every backend has with gradients.
 *
 * @param x Any shape, float32.
 * @returns Same shape as `x`.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    // x·x·x rather than pow(x, 3): the wasm Pow kernel is several times slower than two multiplies.
    const cube = tf.mul(tf.mul(x, x), x);
    const inner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), TWO_SQRT_2_OVER_PI);
    return tf.mul(x, tf.sigmoid(inner));
  });
}
