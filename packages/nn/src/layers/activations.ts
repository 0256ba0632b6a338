import type * as tf from '@tensorflow/tfjs-core';
import { gelu as geluOp } from '@pointclick/tfjs-kernels';

/**
 * GELU, tanh approximation (Hendrycks & Gimpel): gelu(x) = 0.5 x (1 + tanh u), u = √(2/π) (x + 0.044715 x³).
 * Computed as x · sigmoid(2u), the same function ((1 + tanh u) / 2 = sigmoid(2u)) without the Pow and Tanh
 * kernels, which the wasm backend runs as slow scalar loops (they were ~25 % of a `lite` PTv3 forward pass).
 * Small tensors (the decoder's queries) take one fused kernel on cpu and wasm instead of six stock ones
 * (`gelu` of `@pointclick/tfjs-kernels`); differentiable on every backend.
 *
 * @param x Any shape, float32.
 * @returns Same shape as `x`.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return geluOp(x);
}
