import { add, mul, tanh, tidy, type Tensor } from '@tensorflow/tfjs-core';

const SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU activation, tanh approximation (Hendrycks & Gimpel 2016):
 * `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`. Built from stock ops present on cpu, wasm and
 * WebGPU, so it gives the same values (to float32 rounding) and gradients on all of them.
 *
 * @param x Any shape, float32.
 * @returns Same shape as `x`.
 */
export function gelu<T extends Tensor>(x: T): T {
  return tidy(() => {
    const inner = mul(add(x, mul(mul(x, mul(x, x)), 0.044715)), SQRT_TWO_OVER_PI);
    return mul(mul(x, 0.5), add(tanh(inner), 1)) as T;
  });
}
