import { add, customGrad, engine, mean, moments, mul, rsqrt, sigmoid, sub, sum, tidy, type Tensor, type Tensor1D } from '@tensorflow/tfjs-core';
import { GELU, LAYER_NORM, type LayerNormAttrs } from '../kernels/kernel-names.js';
import { KernelArgumentError } from '../kernels/kernel-argument-error.js';
import { GELU_CUBIC, GELU_SCALE } from '../backends/shared/row-norm-values.js';
import { hasKernel, type CustomGradientFunction } from './kernel-dispatch.js';

/**
 * Largest tensor, in elements, that {@link layerNorm} and {@link gelu} send to their one-pass kernels. The kernels
 * are JavaScript loops: on the decoder's `[clicks, 128]` queries one call replaces a dozen stock kernels and their
 * dispatch, while on a backbone level (`[50k, 64]`) the stock kernels' SIMD passes are faster, so larger tensors
 * keep the stock ops (and their exact floats).
 */
export const ROW_NORM_KERNEL_ELEMENT_LIMIT = 1 << 16;

/**
 * Layer normalisation over the last axis: `(x − mean)/√(variance + epsilon)·gamma + beta`, mean and biased variance
 * per row. Small tensors (≤ {@link ROW_NORM_KERNEL_ELEMENT_LIMIT} elements) go to the backend's `PointclickLayerNorm`
 * kernel where it has one (cpu, wasm: one pass, float64 inside, so values may differ from the stock ops' in the
 * last bits), with the analytic gradient; larger ones, and backends without the kernel, run {@link composeLayerNorm}
 * and its autodiff gradient.
 *
 * @param x float32, `[..., channels]`.
 * @param gamma Scale, `[channels]`.
 * @param beta Shift, `[channels]`.
 * @param epsilon Added to the variance, > 0.
 * @returns Same shape as `x`.
 */
export function layerNorm<T extends Tensor>(x: T, gamma: Tensor1D, beta: Tensor1D, epsilon: number): T {
  if (x.rank < 1) throw new KernelArgumentError('layerNorm', 'x.rank', 'at least 1', String(x.rank));
  const channels = x.shape[x.rank - 1];
  for (const [field, tensor] of [['gamma', gamma], ['beta', beta]] as const) {
    if (tensor.rank !== 1 || tensor.shape[0] !== channels) throw new KernelArgumentError('layerNorm', `${field}.shape`, `[${channels}] (x's last axis)`, `[${tensor.shape.join(', ')}]`);
  }
  if (!(epsilon > 0)) throw new KernelArgumentError('layerNorm', 'epsilon', 'a number > 0', String(epsilon));
  if (x.size > ROW_NORM_KERNEL_ELEMENT_LIMIT || x.dtype !== 'float32' || !hasKernel(LAYER_NORM)) return composeLayerNorm(x, gamma, beta, epsilon);
  const attrs: LayerNormAttrs = { epsilon };
  const run = customGrad(((input: Tensor, scale: Tensor, shift: Tensor, save: (tensors: Tensor[]) => void) => {
    save([input, scale]);
    return {
      value: engine().runKernel<Tensor>(LAYER_NORM, { x: input, gamma: scale, beta: shift }, attrs),
      gradFunc: (dy: Tensor, [savedInput, savedScale]: Tensor[]) =>
        tidy(() => {
          // x̂ = (x − μ)·r with r = 1/√(σ² + ε); dx = r·(g − mean(g) − x̂·mean(g·x̂)) for g = dy·γ.
          const { mean: rowMean, variance } = moments(savedInput, -1, true);
          const inverse = rsqrt(add(variance, epsilon));
          const normalised = mul(sub(savedInput, rowMean), inverse);
          const scaled = mul(dy, savedScale);
          const dx = mul(inverse, sub(sub(scaled, mean(scaled, -1, true)), mul(normalised, mean(mul(scaled, normalised), -1, true))));
          const leading = [...Array(dy.rank - 1).keys()];
          const overRows = (tensor: Tensor) => (leading.length > 0 ? sum(tensor, leading) : tensor);
          return [dx, overRows(mul(dy, normalised)), overRows(dy)];
        }),
    };
  }) as unknown as CustomGradientFunction);
  return run(x, gamma, beta) as T;
}

/** {@link layerNorm} from stock ops, as `@pointclick/nn`'s LayerNorm has always computed it (the reference for tests). */
export function composeLayerNorm<T extends Tensor>(x: T, gamma: Tensor1D, beta: Tensor1D, epsilon: number): T {
  return tidy(() => {
    const { mean: rowMean, variance } = moments(x, -1, true);
    const normalised = mul(sub(x, rowMean), rsqrt(add(variance, epsilon)));
    return add(mul(normalised, gamma), beta) as T;
  });
}

/**
 * GELU, tanh approximation (Hendrycks & Gimpel): `0.5·x·(1 + tanh u)`, `u = √(2/π)·(x + 0.044715·x³)`, computed as
 * `x·sigmoid(2u)`. Small float32 tensors (≤ {@link ROW_NORM_KERNEL_ELEMENT_LIMIT} elements) go to the backend's
 * `PointclickGelu` kernel where it has one (cpu, wasm), with the analytic gradient; the rest run {@link composeGelu}.
 *
 * @param x Any shape.
 * @returns Same shape as `x`.
 */
export function gelu<T extends Tensor>(x: T): T {
  if (x.size > ROW_NORM_KERNEL_ELEMENT_LIMIT || x.dtype !== 'float32' || !hasKernel(GELU)) return composeGelu(x);
  const run = customGrad(((input: Tensor, save: (tensors: Tensor[]) => void) => {
    save([input]);
    return {
      value: engine().runKernel<Tensor>(GELU, { x: input }),
      gradFunc: (dy: Tensor, [savedInput]: Tensor[]) =>
        tidy(() => {
          // d/dx x·s(v), v = c(x + a x³): s(v) + x·s(v)(1 − s(v))·c(1 + 3a x²).
          const square = mul(savedInput, savedInput);
          const gate = sigmoid(mul(add(savedInput, mul(mul(square, savedInput), GELU_CUBIC)), GELU_SCALE));
          const slope = mul(add(mul(square, 3 * GELU_CUBIC), 1), GELU_SCALE);
          const derivative = add(gate, mul(mul(savedInput, mul(gate, sub(1, gate))), slope));
          return [mul(dy, derivative)];
        }),
    };
  }) as unknown as CustomGradientFunction);
  return run(x) as T;
}

/** {@link gelu} from stock ops, as `@pointclick/nn`'s gelu has always computed it (the reference for tests). */
export function composeGelu<T extends Tensor>(x: T): T {
  return tidy(() => {
    // x·x·x rather than pow(x, 3): the wasm Pow kernel is several times slower than two multiplies.
    const cube = mul(mul(x, x), x);
    const inner = mul(add(x, mul(cube, GELU_CUBIC)), GELU_SCALE);
    return mul(x, sigmoid(inner)) as T;
  });
}
