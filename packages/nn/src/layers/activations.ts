import * as tf from '@tensorflow/tfjs-core';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (Hendrycks & Gimpel), built from ops every backend has with gradients.
 * gelu(x) = 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // x·x·x rather than pow(x, 3): the wasm Pow kernel is several times slower than two multiplies.
    const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), SQRT_2_OVER_PI);
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}
