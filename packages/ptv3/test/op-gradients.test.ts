import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Initializer } from '@pointclick/nn';
import { createRandom, useBackend } from './test-helpers.js';
import { SerializedAttention } from '../src/layers/serialized-attention.js';
import { SerializedPooling } from '../src/layers/serialized-pooling.js';
import { SerializedUnpooling } from '../src/layers/serialized-unpooling.js';
import { SubmanifoldConvolution } from '../src/layers/submanifold-convolution.js';
import { PointLevel, poolLevel } from '../src/levels/point-level.js';
import { gatherRows, patchAttention, segmentMax } from '../src/ops/point-ops.js';

/**
 * Compares tf's gradient of sum(f(x) · weights) with central differences at every entry of x.
 * Float32 limits precision, so the check is relative to the gradient's scale.
 */
function checkGradient(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, epsilon = 1e-2, tolerance = 2e-2): void {
  const probe = tf.tidy(() => f(x));
  const weights = tf.randomNormal(probe.shape, 0, 1, 'float32', 11);
  probe.dispose();
  const objective = (input: tf.Tensor) => tf.sum(tf.mul(f(input), weights));
  const analytic = tf.tidy(() => tf.grad(objective)(x)).dataSync().slice();
  const base = x.dataSync().slice();
  const numeric = new Float32Array(base.length);
  for (let entry = 0; entry < base.length; entry++) {
    const evaluate = (delta: number) =>
      tf.tidy(() => {
        const shifted = base.slice();
        shifted[entry] += delta;
        return objective(tf.tensor(shifted, x.shape)).dataSync()[0];
      });
    numeric[entry] = (evaluate(epsilon) - evaluate(-epsilon)) / (2 * epsilon);
  }
  const scale = Math.max(1, ...Array.from(analytic, Math.abs));
  for (let entry = 0; entry < base.length; entry++) {
    expect(Math.abs(analytic[entry] - numeric[entry]) / scale, `entry ${entry}`).toBeLessThan(tolerance);
  }
  weights.dispose();
}

function smallLevel(): PointLevel {
  // 12 voxels along an L shape with gaps, so some neighbours are absent.
  const cells = [[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0], [0, 1, 0], [0, 2, 0], [1, 1, 1], [2, 2, 1], [3, 3, 3], [4, 3, 3], [5, 0, 1], [5, 1, 1]];
  const grid = Int32Array.from(cells.flat());
  return PointLevel.serialize(grid, Float32Array.from(grid), 1, ['z', 'hilbert']);
}

function randomInput(rows: number, channels: number, seed: number): tf.Tensor2D {
  const random = createRandom(seed);
  return tf.tensor2d(Float32Array.from({ length: rows * channels }, () => random() * 2 - 1), [rows, channels]);
}

describe('numerical gradient checks (cpu)', () => {
  beforeAll(async () => useBackend('cpu'));

  it('gatherRows (with repeated and zero rows)', () => {
    const x = randomInput(5, 3, 1);
    const indices = Int32Array.from([4, 0, 0, 5, 2, 4]);
    checkGradient((input) => gatherRows(input as tf.Tensor2D, indices), x);
    expect([...gatherRows(x, Int32Array.from([5])).dataSync()]).toEqual([0, 0, 0]);
    x.dispose();
  });

  it('segmentMax', () => {
    const x = randomInput(7, 4, 2);
    const layout = {
      members: Int32Array.from([3, 0, 6, 1, 2, 4, 5]),
      offsets: Int32Array.from([0, 3, 4, 7]),
      segmentOfRow: Int32Array.from([0, 1, 2, 0, 2, 2, 0]),
    };
    checkGradient((input) => segmentMax(input as tf.Tensor2D, layout), x, 1e-3);
    const values = x.arraySync();
    const output = segmentMax(x, layout).arraySync();
    expect((output)[0][2]).toBeCloseTo(Math.max(values[3][2], values[0][2], values[6][2]), 6);
    x.dispose();
  });

  it('submanifold convolution: input and weight gradients, and equality with a direct sum', () => {
    const level = smallLevel();
    const convolution = new SubmanifoldConvolution('conv', 3, 4, 3, new Initializer(3), 'conv');
    const x = randomInput(level.voxelCount, 3, 3);
    checkGradient((input) => convolution.apply(input as tf.Tensor2D, level), x);
    // Weight gradient through the layer itself: tf.variableGrads against central differences of the variable.
    const projection = tf.randomNormal([level.voxelCount, 4], 0, 1, 'float32', 12);
    const objective = () => tf.sum(tf.mul(convolution.apply(x, level), projection)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(objective, [convolution.weight]);
    const analytic = grads[convolution.weight.name].dataSync().slice();
    const original = convolution.weight.dataSync().slice();
    const scale = Math.max(1, ...Array.from(analytic, Math.abs));
    for (let entry = 0; entry < original.length; entry += 7) {
      const evaluate = (delta: number) => {
        const shifted = original.slice();
        shifted[entry] += delta;
        convolution.weight.assign(tf.tensor(shifted, convolution.weight.shape));
        return tf.tidy(() => objective().dataSync()[0]);
      };
      const numeric = (evaluate(1e-2) - evaluate(-1e-2)) / 2e-2;
      expect(Math.abs(numeric - analytic[entry]) / scale, `weight entry ${entry}`).toBeLessThan(2e-2);
    }
    convolution.weight.assign(tf.tensor(original, convolution.weight.shape));
    tf.dispose([value, grads, projection]);
    // Direct definition: out[v] = Σ_offset W_offset x[v + offset] + b.
    const out = convolution.apply(x, level).arraySync();
    const inputs = x.arraySync();
    const w = convolution.weight.arraySync() as number[][];
    const grid = level.gridCoordinates;
    for (let voxel = 0; voxel < level.voxelCount; voxel++) {
      const expected = [0, 0, 0, 0];
      for (let other = 0; other < level.voxelCount; other++) {
        const dx = grid[3 * other] - grid[3 * voxel];
        const dy = grid[3 * other + 1] - grid[3 * voxel + 1];
        const dz = grid[3 * other + 2] - grid[3 * voxel + 2];
        if (Math.max(Math.abs(dx), Math.abs(dy), Math.abs(dz)) > 1) continue;
        const offset = (dx + 1) * 9 + (dy + 1) * 3 + (dz + 1);
        for (let output = 0; output < 4; output++) {
          for (let input = 0; input < 3; input++) expected[output] += w[offset * 3 + input][output] * inputs[other][input];
        }
      }
      for (let output = 0; output < 4; output++) expect(out[voxel][output]).toBeCloseTo(expected[output], 5);
    }
    convolution.dispose();
    x.dispose();
  });

  it('serialized pooling and unpooling', () => {
    const level = smallLevel();
    const pooled = poolLevel(level);
    const pooling = new SerializedPooling('down', 3, 4, new Initializer(4), 'down');
    const x = randomInput(level.voxelCount, 3, 4);
    checkGradient((input) => pooling.apply(input as tf.Tensor2D, pooled), x, 1e-3);
    const unpooling = new SerializedUnpooling('up', 4, 3, 5, new Initializer(5), 'up');
    const coarse = randomInput(pooled.level.voxelCount, 4, 5);
    checkGradient((input) => unpooling.apply(input as tf.Tensor2D, x, pooled.parentOfFine), coarse, 1e-3);
    checkGradient((input) => unpooling.apply(coarse, input as tf.Tensor2D, pooled.parentOfFine), x, 1e-3);
    pooling.dispose();
    unpooling.dispose();
    tf.dispose([x, coarse]);
  });

  it('patch attention and serialized attention (padded patches)', () => {
    const query = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const key = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const value = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    checkGradient((input) => patchAttention(input as tf.Tensor4D, key, value, 0.5), query, 1e-3);
    checkGradient((input) => patchAttention(query, input as tf.Tensor4D, value, 0.5), key, 1e-3);
    checkGradient((input) => patchAttention(query, key, input as tf.Tensor4D, 0.5), value, 1e-3);
    const level = smallLevel(); // 12 voxels, patch size 5 → 3 patches, last one padded
    for (const orderIndex of [0, 1]) {
      const attention = new SerializedAttention('attn', 4, 2, 5, orderIndex, new Initializer(6), 'attn');
      const x = randomInput(level.voxelCount, 4, 6);
      checkGradient((input) => attention.apply(input as tf.Tensor2D, level), x, 1e-3);
      attention.dispose();
      x.dispose();
    }
    tf.dispose([query, key, value]);
  });

  it('serialized attention equals dense attention within each patch of the serialized order', () => {
    const level = smallLevel();
    const attention = new SerializedAttention('attn', 4, 1, 12, 1, new Initializer(8), 'attn');
    const x = randomInput(level.voxelCount, 4, 8);
    // One patch holding every voxel: the result must not depend on the order at all.
    const reference = tf.tidy(() => {
      const qkv = attention.qkv.apply(x) as tf.Tensor2D;
      const [q, k, v] = tf.split(qkv, 3, 1);
      const weights = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 0.5));
      return attention.proj.apply(tf.matMul(weights, v));
    });
    const actual = attention.apply(x, level);
    const difference = tf.max(tf.abs(tf.sub(actual, reference))).dataSync()[0];
    expect(difference).toBeLessThan(1e-5);
    tf.dispose([reference, actual, x]);
    attention.dispose();
  });
});

describe('row gather through the kernels package on wasm', () => {
  beforeAll(async () => useBackend('wasm'));

  it('uses the registered kernel and matches the definition, zero rows and scatter-add gradient included', () => {
    expect(tf.getKernel('PointclickGatherRows', 'wasm')).toBeDefined();
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const indices = Int32Array.from([2, 3, 0, 2]);
    const gathered = gatherRows(x, indices);
    expect(Array.from(gathered.dataSync())).toEqual([5, 6, 0, 0, 1, 2, 5, 6]);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(gatherRows(input as tf.Tensor2D, indices), tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]))))(x);
    expect(Array.from(gradient.dataSync())).toEqual([5, 6, 0, 0, 8, 10]);
    tf.dispose([x, gathered, gradient]);
  });
});
