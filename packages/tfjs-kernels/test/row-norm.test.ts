import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeGelu, composeLayerNorm, gelu, GELU, KernelArgumentError, LAYER_NORM, layerNorm, ROW_NORM_KERNEL_ELEMENT_LIMIT } from '../src/index.js';
import { BACKENDS, maxAbsoluteDifference, probeWebGpu, randomValues, useBackend } from './backend-fixtures.js';

// Probed once per file: WebGPU runs only where Dawn finds an adapter (SwiftShader in CI).
const webGpuAdapter = await probeWebGpu();

/** The decoder's queries: 10 clicks × 128 channels. */
const SHAPE = [10, 128];
const EPSILON = 1e-5;

/** Values of a decoder's activations: a few units, with an offset so the row means are not zero. */
function activations(shape: number[], seed: number): tf.Tensor {
  const size = shape.reduce((product, length) => product * length, 1);
  return tf.tensor(randomValues(size, seed).map((value, index) => 3 * value + (index % 7) * 0.25), shape);
}

describe.each(BACKENDS)('layerNorm and gelu on %s', (backend) => {
  const unavailable = backend === 'webgpu' && webGpuAdapter == null;
  // cpu and wasm run the one-pass kernels (float64 inside, rounded once): within float32 rounding of the stock ops.
  // WebGPU has no kernel, so the op is the composite itself.
  const fused = backend !== 'webgpu';

  beforeAll(async () => {
    if (!unavailable) expect(await useBackend(backend)).toBe(true);
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it.skipIf(unavailable)(`registers the kernels on ${backend} where they pay (cpu, wasm), not on WebGPU`, () => {
    expect(tf.getKernel(LAYER_NORM, backend) !== undefined).toBe(fused);
    expect(tf.getKernel(GELU, backend) !== undefined).toBe(fused);
  });

  it.skipIf(unavailable)('layerNorm matches the stock composite and its float64 definition, leaking no tensor', async () => {
    const x = activations(SHAPE, 3);
    const gamma = tf.tensor1d(randomValues(128, 5).map((value) => 1 + value / 2));
    const beta = tf.tensor1d(randomValues(128, 7));
    const before = tf.memory().numTensors;
    const result = layerNorm(x, gamma, beta, EPSILON);
    expect(tf.memory().numTensors).toBe(before + 1);
    const composite = composeLayerNorm(x, gamma, beta, EPSILON);
    const [values, reference, input, scale, shift] = await Promise.all([result, composite, x, gamma, beta].map((tensor) => tensor.data()));
    expect(result.shape).toEqual(SHAPE);
    // Row by row in float64, straight from the definition.
    const expected = new Float64Array(values.length);
    for (let row = 0; row < SHAPE[0]; row++) {
      const slice = Array.from(input.subarray(row * 128, (row + 1) * 128));
      const mean = slice.reduce((sum, value) => sum + value, 0) / 128;
      const variance = slice.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 128;
      slice.forEach((value, channel) => (expected[row * 128 + channel] = ((value - mean) / Math.sqrt(variance + EPSILON)) * scale[channel] + shift[channel]));
    }
    expect(maxAbsoluteDifference(values, expected)).toBeLessThan(fused ? 1e-6 : 1e-5);
    expect(maxAbsoluteDifference(values, reference)).toBeLessThan(1e-5);
    tf.dispose([x, gamma, beta, result, composite]);
  });

  it.skipIf(unavailable)('gelu matches the stock composite and the tanh formula, leaking no tensor', async () => {
    const x = activations([4, 3, 50], 9);
    const before = tf.memory().numTensors;
    const result = gelu(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    const composite = composeGelu(x);
    const [values, reference, input] = await Promise.all([result, composite, x].map((tensor) => tensor.data()));
    expect(result.shape).toEqual([4, 3, 50]);
    const expected = Array.from(input, (value) => 0.5 * value * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (value + 0.044715 * value ** 3))));
    expect(maxAbsoluteDifference(values, expected)).toBeLessThan(fused ? 1e-6 : 1e-5);
    expect(maxAbsoluteDifference(values, reference)).toBeLessThan(1e-5);
    tf.dispose([x, result, composite]);
  });

  it.skipIf(unavailable)('has the gradients of the stock composite in every input', async () => {
    const x = activations([6, 32], 13);
    const gamma = tf.tensor1d(randomValues(32, 15).map((value) => 1 + value / 2));
    const beta = tf.tensor1d(randomValues(32, 17));
    const weights = tf.tensor2d(randomValues(6 * 32, 19), [6, 32]);
    const normLoss = (build: typeof layerNorm) => (input: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor) =>
      tf.sum(tf.mul(build(input, scale as tf.Tensor1D, shift as tf.Tensor1D, EPSILON), weights)) as tf.Scalar;
    const before = tf.memory().numTensors;
    const gradients = tf.tidy(() => tf.grads(normLoss(layerNorm))([x, gamma, beta]));
    expect(tf.memory().numTensors).toBe(before + 3);
    const references = tf.tidy(() => tf.grads(normLoss(composeLayerNorm))([x, gamma, beta]));
    for (const [index, gradient] of gradients.entries()) {
      expect(gradient.shape, `input ${index}`).toEqual([x, gamma, beta][index].shape);
      expect(maxAbsoluteDifference(await gradient.data(), await references[index].data()), `input ${index}`).toBeLessThan(2e-5);
    }
    const geluLoss = (build: typeof gelu) => (input: tf.Tensor) => tf.sum(tf.mul(build(input), weights)) as tf.Scalar;
    const [geluGradient] = tf.tidy(() => tf.grads(geluLoss(gelu))([x]));
    const [geluReference] = tf.tidy(() => tf.grads(geluLoss(composeGelu))([x]));
    expect(maxAbsoluteDifference(await geluGradient.data(), await geluReference.data())).toBeLessThan(2e-6);
    tf.dispose([x, gamma, beta, weights, ...gradients, ...references, geluGradient, geluReference]);
  });

  it.skipIf(unavailable)('leaves tensors above the element limit to the stock ops, to the bit', async () => {
    const rows = ROW_NORM_KERNEL_ELEMENT_LIMIT / 64 + 1;
    const x = activations([rows, 64], 21);
    const gamma = tf.ones([64]) as tf.Tensor1D;
    const beta = tf.zeros([64]) as tf.Tensor1D;
    const pairs = [
      [layerNorm(x, gamma, beta, EPSILON), composeLayerNorm(x, gamma, beta, EPSILON)],
      [gelu(x), composeGelu(x)],
    ];
    for (const [result, reference] of pairs) expect(maxAbsoluteDifference(await result.data(), await reference.data())).toBe(0);
    tf.dispose([x, gamma, beta, ...pairs.flat()]);
  });
});

describe('layerNorm arguments', () => {
  it('names the field that does not fit', () => {
    const x = tf.zeros([2, 4]);
    const four = tf.ones([4]) as tf.Tensor1D;
    const three = tf.ones([3]) as tf.Tensor1D;
    expect(() => layerNorm(x, three, four, EPSILON)).toThrow(KernelArgumentError);
    expect(() => layerNorm(x, three, four, EPSILON)).toThrow(/gamma\.shape.*\[4\].*\[3\]/);
    expect(() => layerNorm(x, four, three, EPSILON)).toThrow(/beta\.shape/);
    expect(() => layerNorm(x, four, four, 0)).toThrow(/epsilon/);
    tf.dispose([x, four, three]);
  });
});
