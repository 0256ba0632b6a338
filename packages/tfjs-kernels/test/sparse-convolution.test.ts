import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  composeSparseConvolution,
  KernelArgumentError,
  SPARSE_CONVOLUTION,
  SPARSE_CONVOLUTION_FEATURE_GRAD,
  SPARSE_CONVOLUTION_WEIGHT_GRAD,
  sparseConvolution,
} from '../src/index.js';
import { BACKENDS, maxAbsoluteDifference, numericalGradient, probeWebGpu, randomValues, useBackend } from './backend-fixtures.js';

const webGpuAdapter = BACKENDS.includes('webgpu') ? await probeWebGpu() : null;

/**
 * A neighbour table with absent entries of both conventions: about a third -1 or `sourceRows`,
 * the rest uniform in [0, sourceRows).
 */
function randomTable(rows: number, offsets: number, sourceRows: number, seed: number): Int32Array {
  const draws = randomValues(rows * offsets, seed);
  return Int32Array.from(draws, (draw, index) => {
    const unit = (draw + 1) / 2;
    if (unit < 0.17) return -1;
    if (unit < 0.34) return sourceRows;
    return (index * 7919 + Math.floor(unit * 1e6)) % sourceRows;
  });
}

/** Plain float64 loops over the definition out[v] = bias + Σ_k W_k x[n(v, k)]. */
function referenceConvolution(x: Float32Array, table: Int32Array, w: Float32Array, bias: Float32Array | null, sourceRows: number, channels: number, offsets: number, columns: number): Float64Array {
  const rows = table.length / offsets;
  const out = new Float64Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      let sum = bias == null ? 0 : bias[column];
      for (let offset = 0; offset < offsets; offset++) {
        const neighbour = table[row * offsets + offset];
        if (neighbour < 0 || neighbour >= sourceRows) continue;
        for (let channel = 0; channel < channels; channel++) sum += x[neighbour * channels + channel] * w[(offset * channels + channel) * columns + column];
      }
      out[row * columns + column] = sum;
    }
  }
  return out;
}

describe.each(BACKENDS)('sparseConvolution on %s', (backend) => {
  const unavailable = backend === 'webgpu' && webGpuAdapter == null;

  beforeAll(async () => {
    if (!unavailable) expect(await useBackend(backend)).toBe(true);
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  describe.skipIf(unavailable)('op', () => {
    it('uses a fused forward on wasm and webgpu, and fused gradients on webgpu only', () => {
      expect(tf.getKernel(SPARSE_CONVOLUTION, backend) != null).toBe(backend === 'wasm' || backend === 'webgpu');
      expect(tf.getKernel(SPARSE_CONVOLUTION_FEATURE_GRAD, backend) != null).toBe(backend === 'webgpu');
      expect(tf.getKernel(SPARSE_CONVOLUTION_WEIGHT_GRAD, backend) != null).toBe(backend === 'webgpu');
    });

    it('matches float64 loops within relative error 1e-4 forward and 1e-3 for both gradients (chunked weight gradient)', async () => {
      // More than one 1024-row chunk of the weight gradient; a third of the neighbours absent.
      const [rows, channels, offsets, columns] = [1100, 8, 27, 12];
      const table = randomTable(rows, offsets, rows, 71);
      const x = randomValues(rows * channels, 72);
      const w = randomValues(offsets * channels * columns, 73);
      const dy = randomValues(rows * columns, 74);
      const features = tf.tensor2d(x, [rows, channels]);
      const weights = tf.tensor2d(w, [offsets * channels, columns]);
      const probe = tf.tensor2d(dy, [rows, columns]);
      const before = tf.memory().numTensors;
      const forward = tf.tidy(() => sparseConvolution(features, table, weights));
      const gradients = tf.grads((input: tf.Tensor, kernel: tf.Tensor) => tf.sum(tf.mul(sparseConvolution(input as tf.Tensor2D, table, kernel as tf.Tensor2D), probe)))([features, weights]);
      const [output, featureGradient, weightGradient] = await Promise.all([forward, ...gradients].map((tensor) => tensor.data()));
      tf.dispose([forward, ...gradients]);
      expect(tf.memory().numTensors).toBe(before);
      // d/dx of Σ out·dy: dX[n(v,k), j] += Σ_o dy[v, o] W[k·C + j, o]; dW[k·C + j, o] = Σ_v x[n(v,k), j] dy[v, o].
      const expectedFeatures = new Float64Array(rows * channels);
      const expectedWeights = new Float64Array(offsets * channels * columns);
      for (let row = 0; row < rows; row++) {
        for (let offset = 0; offset < offsets; offset++) {
          const neighbour = table[row * offsets + offset];
          if (neighbour < 0 || neighbour >= rows) continue;
          for (let channel = 0; channel < channels; channel++) {
            const kernelRow = (offset * channels + channel) * columns;
            for (let column = 0; column < columns; column++) {
              expectedFeatures[neighbour * channels + channel] += dy[row * columns + column] * w[kernelRow + column];
              expectedWeights[kernelRow + column] += x[neighbour * channels + channel] * dy[row * columns + column];
            }
          }
        }
      }
      const relative = (actual: ArrayLike<number>, expected: Float64Array) => maxAbsoluteDifference(actual, expected) / expected.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
      expect(relative(output, referenceConvolution(x, table, w, null, rows, channels, offsets, columns))).toBeLessThan(1e-4);
      expect(relative(featureGradient, expectedFeatures)).toBeLessThan(1e-3);
      expect(relative(weightGradient, expectedWeights)).toBeLessThan(1e-3);
      tf.dispose([features, weights, probe]);
    });

    it.each([
      // [rows, sourceRows, channels, offsets, columns, bias]: odd sizes hit every tail of the 4 × 8 tile.
      [13, 13, 3, 27, 5, true],
      [1, 4, 1, 1, 1, false],
      [50, 37, 33, 3, 17, true],
      [7, 9, 16, 125, 8, false],
      [130, 130, 32, 27, 40, true],
    ] as const)('matches float64 loops and the stock composition: %i rows ← %i × %i, %i offsets, %i outputs, bias %s', async (rows, sourceRows, channels, offsets, columns, withBias) => {
      const x = randomValues(sourceRows * channels, rows + 1);
      const table = randomTable(rows, offsets, sourceRows, channels + 2);
      const w = randomValues(offsets * channels * columns, offsets + 3);
      const b = withBias ? randomValues(columns, 4) : null;
      const before = tf.memory().numTensors;
      const outputs = tf.tidy(() => {
        const features = tf.tensor2d(x, [sourceRows, channels]);
        const weights = tf.tensor2d(w, [offsets * channels, columns]);
        const bias = b == null ? undefined : tf.tensor1d(b);
        const neighbours = tf.tensor2d(table, [rows, offsets], 'int32');
        return [
          sparseConvolution(features, table, weights, bias),
          sparseConvolution(features, neighbours, weights, bias),
          composeSparseConvolution(features, neighbours, weights, bias),
        ];
      });
      // Read back asynchronously: WebGPU in Node cannot read synchronously.
      const [fromArray, fromTensor, composed] = await Promise.all(outputs.map((output) => output.data()));
      tf.dispose(outputs);
      expect(tf.memory().numTensors).toBe(before);
      const expected = referenceConvolution(x, table, w, b, sourceRows, channels, offsets, columns);
      // float32 sums of up to 4000 products of values in [-1, 1).
      expect(maxAbsoluteDifference(fromArray, expected)).toBeLessThan(2e-4);
      expect(maxAbsoluteDifference(fromTensor, expected)).toBeLessThan(2e-4);
      expect(maxAbsoluteDifference(composed, expected)).toBeLessThan(2e-4);
    });

    it('matches central differences for features, weights and bias on a tiny case', async () => {
      const [sourceRows, channels, offsets, columns] = [5, 3, 3, 2];
      const table = Int32Array.from([0, 1, -1, 4, 5, 2, 2, 2, 0, 3, -1, 5, 1, 0, 4, 5, 5, 5, 4, 3, 2]);
      const x = randomValues(sourceRows * channels, 11);
      const w = randomValues(offsets * channels * columns, 12);
      const b = randomValues(columns, 13);
      const probe = tf.tensor2d(randomValues((table.length / offsets) * columns, 14), [table.length / offsets, columns]);
      const loss = (features: tf.Tensor, weights: tf.Tensor, bias: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(sparseConvolution(features as tf.Tensor2D, table, weights as tf.Tensor2D, bias as tf.Tensor1D), probe));
      const features = tf.tensor2d(x, [sourceRows, channels]);
      const weights = tf.tensor2d(w, [offsets * channels, columns]);
      const bias = tf.tensor1d(b);
      const before = tf.memory().numTensors;
      const gradients = tf.grads(loss)([features, weights, bias]);
      const analytic = await Promise.all(gradients.map((gradient) => gradient.data()));
      tf.dispose(gradients);
      expect(tf.memory().numTensors).toBe(before);
      const numericFeatures = await numericalGradient((input) => loss(input, weights, bias), x, [sourceRows, channels]);
      const numericWeights = await numericalGradient((input) => loss(features, input, bias), w, [offsets * channels, columns]);
      const numericBias = await numericalGradient((input) => loss(features, weights, input), b, [columns]);
      expect(maxAbsoluteDifference(analytic[0], numericFeatures)).toBeLessThan(2e-3);
      expect(maxAbsoluteDifference(analytic[1], numericWeights)).toBeLessThan(2e-3);
      expect(maxAbsoluteDifference(analytic[2], numericBias)).toBeLessThan(2e-3);
      // Absent neighbours get no gradient: feature row 3 appears only at slots 9 and 19.
      expect(Array.from(analytic[0].slice(9, 12)).some((value) => value !== 0)).toBe(true);
      tf.dispose([features, weights, bias, probe]);
    });

    it('matches the autodiff of the stock composition and leaks nothing in a training step', async () => {
      const [rows, channels, offsets, columns] = [45, 6, 27, 10];
      const table = randomTable(rows, offsets, rows, 21);
      const features = tf.variable(tf.tensor2d(randomValues(rows * channels, 22), [rows, channels]));
      const weights = tf.variable(tf.tensor2d(randomValues(offsets * channels * columns, 23), [offsets * channels, columns]));
      const bias = tf.variable(tf.tensor1d(randomValues(columns, 24)));
      const target = tf.tensor2d(randomValues(rows * columns, 25), [rows, columns]);
      const before = tf.memory().numTensors;
      const step = async (fused: boolean) => {
        const results = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const neighbours = tf.tensor2d(table, [rows, offsets], 'int32');
            const output = fused ? sparseConvolution(features, neighbours, weights, bias) : composeSparseConvolution(features, neighbours, weights, bias);
            return tf.mean(tf.square(tf.sub(output, target)));
          });
          return [value, ...[features, weights, bias].map((variable) => grads[variable.name])];
        });
        const values = await Promise.all(results.map((result) => result.data() as Promise<Float32Array>));
        tf.dispose(results);
        return values;
      };
      const fused = await step(true);
      const composed = await step(false);
      expect(tf.memory().numTensors).toBe(before);
      expect(fused[0][0]).toBeCloseTo(composed[0][0], 4);
      for (const index of [1, 2, 3]) expect(maxAbsoluteDifference(fused[index], composed[index])).toBeLessThan(1e-4);
      expect(fused[1].some((value) => value !== 0)).toBe(true);
      tf.dispose([features, weights, bias, target]);
    });

    it('rejects bad input with typed errors', () => {
      const features = tf.zeros([4, 3]) as tf.Tensor2D;
      const weights = tf.zeros([6, 2]) as tf.Tensor2D;
      const expectError = (run: () => unknown, field: string) => {
        let caught: unknown;
        try {
          run();
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(KernelArgumentError);
        expect((caught as KernelArgumentError).field).toBe(field);
      };
      expectError(() => sparseConvolution(features, Int32Array.from([0, 1, 5, 2]), weights), 'neighbours[2]');
      expectError(() => sparseConvolution(features, Int32Array.from([0, 1, 2]), weights), 'neighbours.length');
      expectError(() => sparseConvolution(features, Int32Array.from([0, 1]), tf.zeros([5, 2]) as tf.Tensor2D), 'weights.shape[0]');
      expectError(() => sparseConvolution(features, Int32Array.from([0, 1]), weights, tf.zeros([3]) as tf.Tensor1D), 'bias.shape');
      if (backend === 'wasm') {
        // A tensor's values are checked by the wasm kernel (reading them elsewhere would cost a read-back).
        const bad = tf.tensor2d([0, -2], [1, 2], 'int32');
        expectError(() => sparseConvolution(features, bad, weights).dispose(), 'neighbours[1]');
        // In the four-wide part of the C check, with a later bad entry too: the first one is named. -1 and
        // sourceRows (4, a zero row) are valid.
        const table = Int32Array.from({ length: 18 }, (_, index) => [-1, 4, 0, 3][index % 4]);
        const valid = tf.tensor2d(table, [9, 2], 'int32');
        const output = sparseConvolution(features, valid, weights);
        expect(output.shape).toEqual([9, 2]);
        table[5] = 5;
        table[13] = -7;
        const late = tf.tensor2d(table, [9, 2], 'int32');
        expectError(() => sparseConvolution(features, late, weights).dispose(), 'neighbours[5]');
        tf.dispose([bad, valid, late, output]);
      }
      tf.dispose([features, weights]);
    });
  });
});
