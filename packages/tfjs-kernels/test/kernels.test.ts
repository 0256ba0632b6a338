import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherRows, KernelArgumentError, PATCH_ATTENTION, PATCH_ATTENTION_GRAD, patchAttention, referencePatchAttention, segmentMax, unsortedSegmentSum } from '../src/index.js';
import { composeSegmentMax, segmentMaxWithArgmax } from '../src/ops/segment-max-op.js';
import { GATHER_ROWS, SEGMENT_MAX, SEGMENT_MAX_GRAD, SEGMENT_SUM } from '../src/kernels/kernel-names.js';
import { segmentMaxValues } from '../src/backends/shared/segment-max-values.js';
import { findMatMulWasmRuntime } from '../src/backends/wasm/mat-mul-wasm.js';
import { BACKENDS, maxAbsoluteDifference, numericalGradient, probeWebGpu, randomValues, useBackend } from './backend-fixtures.js';

// Probed once per file: WebGPU runs only where Dawn finds an adapter (SwiftShader in CI).
const webGpuAdapter = await probeWebGpu();

/** Plain-JavaScript references, written independently of the kernels under test. */
function referenceGather(values: Float32Array, channels: number, indices: number[]): number[] {
  return indices.flatMap((row) => Array.from(values.subarray(row * channels, (row + 1) * channels)));
}
function referenceSegmentSum(values: Float32Array, channels: number, ids: number[], segments: number): number[] {
  const out = new Array<number>(segments * channels).fill(0);
  ids.forEach((segment, row) => {
    if (segment < 0) return;
    for (let c = 0; c < channels; c++) out[segment * channels + c] += values[row * channels + c];
  });
  return out;
}
function referenceSegmentMax(values: Float32Array, channels: number, ids: number[], segments: number): number[] {
  const out = new Array<number>(segments * channels).fill(-Infinity);
  ids.forEach((segment, row) => {
    for (let c = 0; c < channels; c++) out[segment * channels + c] = Math.max(out[segment * channels + c], values[row * channels + c]);
  });
  return out.map((value) => (value === -Infinity ? 0 : value));
}
function referenceAttention(q: Float32Array, k: Float32Array, v: Float32Array, shape: number[], scale: number): number[] {
  const [patches, heads, size, depth] = shape;
  const out = new Array<number>(q.length).fill(0);
  for (let block = 0; block < patches * heads; block++) {
    const base = block * size * depth;
    for (let i = 0; i < size; i++) {
      const logits = Array.from({ length: size }, (_, j) => {
        let dot = 0;
        for (let d = 0; d < depth; d++) dot += q[base + i * depth + d] * k[base + j * depth + d];
        return dot * scale;
      });
      const top = Math.max(...logits);
      const weights = logits.map((logit) => Math.exp(logit - top));
      const total = weights.reduce((a, b) => a + b, 0);
      for (let j = 0; j < size; j++) for (let d = 0; d < depth; d++) out[base + i * depth + d] += (weights[j] / total) * v[base + j * depth + d];
    }
  }
  return out;
}

/** Checks tf.grad of `sum(op(x) · weights)` against central differences, element by element. */
async function expectGradientMatches(op: (x: tf.Tensor) => tf.Tensor, input: Float32Array, shape: number[], outputSize: number, tolerance: number, step = 1e-2): Promise<void> {
  const weights = tf.tensor(randomValues(outputSize, 99));
  const loss = (x: tf.Tensor) => tf.sum(tf.mul(tf.reshape(op(x), [-1]), weights)) as tf.Scalar;
  const analytic = tf.tidy(() => tf.grad(loss)(tf.tensor(input, shape)));
  const numeric = await numericalGradient(loss, input, shape, step);
  const analyticValues = await analytic.data();
  analytic.dispose();
  weights.dispose();
  expect(maxAbsoluteDifference(analyticValues, numeric)).toBeLessThan(tolerance);
}

describe.each(BACKENDS)('tfjs-kernels on %s', (backend) => {
  // WebGPU is skipped (with the console warning printed by probeWebGpu) when no adapter exists.
  const unavailable = backend === 'webgpu' && webGpuAdapter == null;

  beforeAll(async () => {
    if (!unavailable) expect(await useBackend(backend)).toBe(true);
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  describe.skipIf(unavailable)('ops', () => {
    const channels = 3;
    const rowCount = 5;
    const values = randomValues(rowCount * channels, 1);

    it('gatherRows matches a plain gather and tf.gather, forward and gradient', async () => {
      const indices = [4, 0, 0, 2, 3, 4, 1];
      const x = tf.tensor2d(values, [rowCount, channels]);
      const ids = tf.tensor1d(indices, 'int32');
      const gathered = gatherRows(x, ids);
      expect(gathered.shape).toEqual([indices.length, channels]);
      expect(maxAbsoluteDifference(await gathered.data(), referenceGather(values, channels, indices))).toBe(0);
      expect(maxAbsoluteDifference(await gathered.data(), await tf.gather(x, ids).data())).toBe(0);
      await expectGradientMatches((input) => gatherRows(input as tf.Tensor2D, ids), values, [rowCount, channels], indices.length * channels, 2e-3);
      tf.dispose([x, ids, gathered]);
    });

    it("tf.gather's own gradient works (needs UnsortedSegmentSum)", async () => {
      const ids = tf.tensor1d([1, 1, 3], 'int32');
      const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.gather(input, ids)))(tf.tensor2d(values, [rowCount, channels]));
      expect(Array.from(await gradient.data())).toEqual([0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
      tf.dispose([ids, gradient]);
    });

    it('unsortedSegmentSum matches a plain sum (negative ids dropped), forward and gradient', async () => {
      const segmentIds = [2, 0, -1, 2, 3];
      const ids = tf.tensor1d(segmentIds, 'int32');
      const summed = unsortedSegmentSum(tf.tensor2d(values, [rowCount, channels]), ids, 4);
      expect(summed.shape).toEqual([4, channels]);
      expect(maxAbsoluteDifference(await summed.data(), referenceSegmentSum(values, channels, segmentIds, 4))).toBeLessThan(1e-6);
      await expectGradientMatches((input) => unsortedSegmentSum(input, ids, 4), values, [rowCount, channels], 4 * channels, 2e-3);
      tf.dispose([ids, summed]);
    });

    it('segmentMax matches a plain max (empty segment → 0), forward and gradient', async () => {
      const segmentIds = [1, 0, 1, 1, 3];
      const ids = tf.tensor1d(segmentIds, 'int32');
      const pooled = segmentMax(tf.tensor2d(values, [rowCount, channels]), ids, 4);
      expect(pooled.shape).toEqual([4, channels]);
      expect(maxAbsoluteDifference(await pooled.data(), referenceSegmentMax(values, channels, segmentIds, 4))).toBe(0);
      // Random values differ by far more than the step, so the max does not switch rows.
      await expectGradientMatches((input) => segmentMax(input as tf.Tensor2D, ids, 4), values, [rowCount, channels], 4 * channels, 2e-3, 1e-3);
      tf.dispose([ids, pooled]);
    });

    it('the stock-op segment max (used where no kernel exists) matches the reference and argmax', async () => {
      const segmentIds = [1, 0, 1, 1, 3, 0, 1];
      const rows = randomValues(segmentIds.length * channels, 21);
      rows[0] = rows[2 * channels] = 5; // a tie in channel 0 of segment 1: the first row (0) must win
      const [maxima, argmax] = composeSegmentMax(tf.tensor2d(rows, [segmentIds.length, channels]), tf.tensor1d(segmentIds, 'int32'), 4);
      expect(maxAbsoluteDifference(await maxima.data(), referenceSegmentMax(rows, channels, segmentIds, 4))).toBe(0);
      const winners = Array.from(await argmax.data());
      expect(winners[channels]).toBe(0);
      expect(winners.slice(2 * channels, 3 * channels)).toEqual([-1, -1, -1]);
      winners.forEach((row, slot) => {
        if (row >= 0) expect(rows[row * channels + (slot % channels)]).toBe((referenceSegmentMax(rows, channels, segmentIds, 4))[slot]);
      });
      tf.dispose([maxima, argmax]);
    });

    it('segmentMax sends the gradient of a tie to one row only', async () => {
      const ids = tf.tensor1d([0, 0, 0], 'int32');
      const gradient = tf.grad((input: tf.Tensor) => tf.sum(segmentMax(input as tf.Tensor2D, ids, 1)))(tf.tensor2d([[2], [5], [5]]));
      const received = Array.from(await gradient.data());
      expect(received.reduce((a, b) => a + b, 0)).toBe(1);
      expect(received[0]).toBe(0);
      tf.dispose([ids, gradient]);
    });

    it('segment and gather kernels at 2,000 × 7 with ties and empty segments match the references, the stock-op argmax and its gradient', async () => {
      const [rows, width, segments] = [2000, 7, 300];
      // Segments 290–299 stay empty; values on a coarse grid make ties within segments (−0 and +0 among them).
      const ids = Array.from({ length: rows }, (_, row) => (row * 7919) % 290);
      const data = randomValues(rows * width, 31).map((value) => Math.round(value * 8) / 8);
      const [x, idTensor] = [tf.tensor2d(data, [rows, width]), tf.tensor1d(ids, 'int32')];
      const [maxima, argmax] = segmentMaxWithArgmax(x, idTensor, segments);
      const [composedMaxima, composedArgmax] = composeSegmentMax(x, idTensor, segments);
      expect(maxAbsoluteDifference(await maxima.data(), referenceSegmentMax(data, width, ids, segments))).toBe(0);
      expect(maxAbsoluteDifference(await composedMaxima.data(), referenceSegmentMax(data, width, ids, segments))).toBe(0);
      const winners = await argmax.data();
      expect(Array.from(winners)).toEqual(Array.from(await composedArgmax.data()));
      expect(Array.from(winners.subarray(290 * width))).toEqual(new Array(10 * width).fill(-1));
      // The gradient of Σ w·max goes to the winning row of each segment and channel, nowhere else.
      const weights = randomValues(segments * width, 32);
      const gradient = tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(tf.mul(segmentMax(input as tf.Tensor2D, idTensor, segments), tf.tensor2d(weights, [segments, width]))))(x));
      const expected = new Float32Array(rows * width);
      winners.forEach((row, slot) => {
        if (row >= 0) expected[row * width + (slot % width)] = weights[slot];
      });
      expect(maxAbsoluteDifference(await gradient.data(), expected)).toBe(0);
      const summed = unsortedSegmentSum(x, idTensor, segments);
      expect(maxAbsoluteDifference(await summed.data(), referenceSegmentSum(data, width, ids, segments))).toBeLessThan(1e-5);
      const indices = Array.from({ length: 500 }, (_, slot) => (slot * 37) % rows);
      const integers = Int32Array.from(data, (value) => value * 8);
      const gathered = gatherRows(tf.tensor2d(integers, [rows, width], 'int32'), indices);
      expect(gathered.dtype).toBe('int32');
      expect(Array.from(await gathered.data())).toEqual(referenceGather(Float32Array.from(integers), width, indices));
      tf.dispose([x, idTensor, maxima, argmax, composedMaxima, composedArgmax, gradient, summed, gathered]);
    });

    // WebGPU is left out: its comparisons of NaN need not follow JavaScript's.
    it.skipIf(backend === 'webgpu')('segment max equals the JavaScript kernel to the bit (NaN, −0 and +0, ties, an empty segment; wasm runs it in C)', async () => {
      const [rows, width, segments] = [3001, 5, 97];
      const ids = Int32Array.from({ length: rows }, (_, row) => (row * 7919) % 96); // segment 96 stays empty
      const data = Float32Array.from(randomValues(rows * width, 33), (value) => Math.round(value * 4) / 4);
      data[7] = NaN; // the first row of its segment and channel: NaN stays the maximum
      data[5 * 96 + 2] = NaN; // a later row: never greater, so the earlier maximum stays
      for (let entry = 11; entry < data.length; entry += 53) data[entry] = -0;
      const expected = segmentMaxValues(data, Int32Array.from(ids), width, segments);
      const [maxima, argmax] = segmentMaxWithArgmax(tf.tensor2d(data, [rows, width]), tf.tensor1d(ids, 'int32'), segments);
      const [values, winners] = [await maxima.data(), await argmax.data()];
      expect(Array.from(values).every((value, slot) => Object.is(value, expected.maxima[slot]))).toBe(true);
      expect(Array.from(winners)).toEqual(Array.from(expected.argmax));
      expect(Array.from(expected.maxima).some(Number.isNaN)).toBe(true); // the case reaches a NaN maximum
      if (backend === 'wasm') expect(findMatMulWasmRuntime(tf.backend())).not.toBeNull(); // so the C kernel ran
      expect(Array.from(winners.subarray(96 * width))).toEqual(new Array(width).fill(-1));
      tf.dispose([maxima, argmax]);
    });

    it.skipIf(backend !== 'webgpu')('webgpu: registers WGSL gather, segment sum, segment max and its gradient (the tests above ran them)', () => {
      for (const name of [GATHER_ROWS, SEGMENT_SUM, SEGMENT_MAX, SEGMENT_MAX_GRAD]) expect(tf.getKernel(name, 'webgpu'), name).toBeDefined();
    });

    it('patchAttention matches plain softmax attention, forward and gradient of q, k and v', async () => {
      const shape = [2, 2, 4, 3];
      const size = shape.reduce((a, b) => a * b, 1);
      const [q, k, v] = [randomValues(size, 11), randomValues(size, 12), randomValues(size, 13)];
      const scale = 1 / Math.sqrt(3);
      const attended = patchAttention(tf.tensor4d(q, shape as never), tf.tensor4d(k, shape as never), tf.tensor4d(v, shape as never), scale);
      expect(attended.shape).toEqual(shape);
      expect(maxAbsoluteDifference(await attended.data(), referenceAttention(q, k, v, shape, scale))).toBeLessThan(1e-5);
      const as4d = (t: tf.Tensor) => t as tf.Tensor4D;
      const [qt, kt, vt] = [tf.tensor4d(q, shape as never), tf.tensor4d(k, shape as never), tf.tensor4d(v, shape as never)];
      await expectGradientMatches((input) => patchAttention(as4d(input), kt, vt, scale), q, shape, size, 5e-3);
      await expectGradientMatches((input) => patchAttention(qt, as4d(input), vt, scale), k, shape, size, 5e-3);
      await expectGradientMatches((input) => patchAttention(qt, kt, as4d(input), scale), v, shape, size, 5e-3);
      tf.dispose([attended, qt, kt, vt]);
    });

    // On wasm these run the fused C kernel (registered by /wasm); elsewhere the stock composition.
    it.each([
      [[1, 1, 1, 1]],
      [[2, 3, 5, 3]], // odd patch size and channels: padding inside the fused kernel
      [[3, 2, 64, 16]], // the PTv3 shape
      [[2, 1, 7, 6]],
      [[70, 4, 32, 32]], // more than one 2¹⁸-float chunk on wasm
    ])('patchAttention %j matches a plain-JS softmax attention', async (shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const [q, k, v] = [randomValues(size, 31), randomValues(size, 32), randomValues(size, 33)].map((values) => values.map((value) => value * 2));
      const scale = 1 / Math.sqrt(shape[3]);
      const before = tf.memory().numTensors;
      const tensors = [q, k, v].map((values) => tf.tensor4d(values, shape as never));
      const attended = patchAttention(tensors[0], tensors[1], tensors[2], scale);
      expect(attended.shape).toEqual(shape);
      expect(maxAbsoluteDifference(await attended.data(), referenceAttention(q, k, v, shape, scale))).toBeLessThan(2e-5);
      tf.dispose([attended, ...tensors]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('patchAttention gradient at patch 64 × 16 channels matches the autodiff of plain stock ops', async () => {
      const shape = [2, 2, 64, 16] as [number, number, number, number];
      const size = shape.reduce((a, b) => a * b, 1);
      const [q, k, v] = [41, 42, 43].map((seed) => tf.tensor4d(randomValues(size, seed), shape));
      const weights = tf.tensor4d(randomValues(size, 44), shape);
      const before = tf.memory().numTensors;
      const loss = (attend: typeof patchAttention) => (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.sum(tf.mul(attend(x as tf.Tensor4D, y as tf.Tensor4D, z as tf.Tensor4D, 0.25), weights));
      const fused = tf.grads(loss(patchAttention))([q, k, v]);
      const plain = tf.grads(loss(referencePatchAttention))([q, k, v]);
      for (let index = 0; index < 3; index++) {
        expect(maxAbsoluteDifference(await fused[index].data(), await plain[index].data())).toBeLessThan(2e-5);
      }
      tf.dispose([...fused, ...plain]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([q, k, v, weights]);
    });

    it('patchAttention gradient at odd sizes (patch 5, 3 channels) matches central differences', async () => {
      const shape = [1, 2, 5, 3];
      const size = shape.reduce((a, b) => a * b, 1);
      const [q, k, v] = [randomValues(size, 51), randomValues(size, 52), randomValues(size, 53)];
      const [qt, kt, vt] = [q, k, v].map((values) => tf.tensor4d(values, shape as never));
      const scale = 0.7;
      await expectGradientMatches((input) => patchAttention(input as tf.Tensor4D, kt, vt, scale), q, shape, size, 5e-3);
      await expectGradientMatches((input) => patchAttention(qt, input as tf.Tensor4D, vt, scale), k, shape, size, 5e-3);
      await expectGradientMatches((input) => patchAttention(qt, kt, input as tf.Tensor4D, scale), v, shape, size, 5e-3);
      tf.dispose([qt, kt, vt]);
    });

    // WebGPU registers a fused WGSL forward and backward: the gradient tests above ran both.
    it.skipIf(backend !== 'webgpu')('webgpu: runs the fused WGSL forward and gradient kernels', () => {
      expect(tf.getKernel(PATCH_ATTENTION, 'webgpu')).toBeDefined();
      expect(tf.getKernel(PATCH_ATTENTION_GRAD, 'webgpu')).toBeDefined();
    });

    // wasm and webgpu register both fused kernels; cpu runs the stock composition.
    it.skipIf(backend === 'cpu')('runs the fused kernels, and the fused forward with the composed gradient', async () => {
      expect(tf.getKernel(PATCH_ATTENTION, backend)).toBeDefined();
      const gradientConfig = tf.getKernel(PATCH_ATTENTION_GRAD, backend);
      expect(gradientConfig).toBeDefined();
      const shape = [1, 2, 5, 3];
      const size = shape.reduce((a, b) => a * b, 1);
      const [q, k, v] = [randomValues(size, 61), randomValues(size, 62), randomValues(size, 63)];
      const [qt, kt, vt] = [q, k, v].map((values) => tf.tensor4d(values, shape as never));
      tf.unregisterKernel(PATCH_ATTENTION_GRAD, backend);
      try {
        await expectGradientMatches((input) => patchAttention(input as tf.Tensor4D, kt, vt, 0.7), q, shape, size, 5e-3);
        await expectGradientMatches((input) => patchAttention(qt, input as tf.Tensor4D, vt, 0.7), k, shape, size, 5e-3);
        await expectGradientMatches((input) => patchAttention(qt, kt, input as tf.Tensor4D, 0.7), v, shape, size, 5e-3);
      } finally {
        tf.registerKernel(gradientConfig);
      }
      tf.dispose([qt, kt, vt]);
    });

    it('leaves tf.memory().numTensors unchanged after forward and gradient inside tidy', async () => {
      const x = tf.tensor2d(values, [rowCount, channels]);
      const ids = tf.tensor1d([0, 1, 1, 2, 0], 'int32');
      const q = tf.tensor4d(randomValues(24, 3), [1, 2, 4, 3]);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        gatherRows(x, ids);
        unsortedSegmentSum(x, ids, 3);
        segmentMax(x, ids, 3);
        patchAttention(q, q, q, 0.5);
      });
      // A training step: the gradients are used inside the tidy, only a scalar summary leaves it.
      const gradientNorm = tf.tidy(() => {
        const gradients = tf.grads((input: tf.Tensor, query: tf.Tensor) =>
          tf.add(
            tf.sum(tf.relu(segmentMax(unsortedSegmentSum(gatherRows(input as tf.Tensor2D, ids), ids, 3) as tf.Tensor2D, tf.tensor1d([0, 1, 1], 'int32'), 2))),
            tf.sum(patchAttention(query as tf.Tensor4D, query as tf.Tensor4D, query as tf.Tensor4D, 0.5)),
          ),
        )([x, q]);
        return tf.add(tf.sum(tf.square(gradients[0])), tf.sum(tf.square(gradients[1])));
      });
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(Number.isFinite((await gradientNorm.data())[0])).toBe(true);
      gradientNorm.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, ids, q]);
    });

    it('rejects mismatched shapes with a KernelArgumentError naming the field', () => {
      const x = tf.zeros([4, 2]) as tf.Tensor2D;
      expect(() => segmentMax(x, [0, 1], 2)).toThrow(KernelArgumentError);
      expect(() => segmentMax(x, [0, 1], 2)).toThrow(/segmentIds\.shape\[0\]/);
      expect(() => gatherRows(x, tf.tensor1d([0.5]))).toThrow(/indices\.dtype/);
      const q = tf.zeros([1, 1, 4, 2]) as tf.Tensor4D;
      expect(() => patchAttention(q, tf.zeros([1, 1, 4, 3]) as tf.Tensor4D, q, 1)).toThrow(/key\.shape/);
      tf.dispose([x, q]);
    });

    // Id range checks are done by this package's JavaScript kernels (cpu, wasm); on WebGPU the
    // ids never reach the CPU, so out-of-range ids are not detected there.
    it.skipIf(backend === 'webgpu')('rejects an out-of-range segment id with its offset', () => {
      const x = tf.zeros([3, 2]) as tf.Tensor2D;
      expect(() => segmentMax(x, [0, 5, 1], 2)).toThrow(/segmentIds\[1\]/);
      const before = tf.memory().numTensors;
      expect(() => unsortedSegmentSum(x, [0, 1, 2], 2)).toThrow(/segmentIds\[2\] must be below numSegments \(2\), got 2/);
      // The rejected output is freed, not leaked (the id vector made from the array is the op's own).
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 1);
      x.dispose();
    });
  });
});
