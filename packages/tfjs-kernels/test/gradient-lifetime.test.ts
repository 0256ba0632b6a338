import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherRows, segmentMax, unsortedSegmentSum } from '../src/index.js';
import { randomValues, useBackend } from './backend-fixtures.js';

/*
 * Ops whose index tensors are made inside a tf.tidy that ends before backprop (how a model builds
 * neighbour indices in its forward pass). The gradient must still see those indices, and nothing
 * may leak. Runs on cpu and wasm; WebGPU is covered by kernels.test.ts (its probe is slow).
 */
describe.each(['cpu', 'wasm'] as const)('gradients with indices made inside tf.tidy on %s', (backend) => {
  beforeAll(async () => {
    expect(await useBackend(backend)).toBe(true);
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  const rowCount = 4;
  const channels = 2;
  const values = randomValues(rowCount * channels, 7);
  const gatherIndices = [3, 0, 0, 2];

  it('gatherRows: tf.variableGrads scatters the gradient back to the source rows', async () => {
    const weights = tf.variable(tf.tensor2d(values, [rowCount, channels]), true, `gather-lifetime-${backend}`);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const ids = tf.tensor1d(gatherIndices, 'int32'); // made and disposed inside this tidy
        return tf.sum(tf.mul(gatherRows(weights, ids), tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2])));
      }),
    );
    const gradient = grads[weights.name];
    // Row 0 receives output rows 1 and 2, row 2 output row 3, row 3 output row 0, row 1 nothing.
    expect(Array.from(await gradient.data())).toEqual([3 + 5, 4 + 6, 0, 0, 7, 8, 1, 2]);
    tf.dispose([value, gradient]);
    expect(tf.memory().numTensors).toBe(before);
    weights.dispose();
  });

  it('gatherRows, unsortedSegmentSum and segmentMax: tf.grad through a tidy, no leak', async () => {
    const input = tf.tensor2d(values, [rowCount, channels]);
    const before = tf.memory().numTensors;
    const gradient = tf.grad((x: tf.Tensor) =>
      tf.tidy(() => {
        const gathered = gatherRows(x as tf.Tensor2D, tf.tensor1d(gatherIndices, 'int32'));
        const summed = unsortedSegmentSum(gathered, tf.tensor1d([0, 1, 1, 2], 'int32'), 3) as tf.Tensor2D;
        return tf.sum(segmentMax(summed, tf.tensor1d([0, 0, 1], 'int32'), 2));
      }),
    )(input);
    expect(gradient.shape).toEqual([rowCount, channels]);
    const gradientValues = await gradient.data();
    // Every entry is a count of paths from an input element to a winning output: 0, 1 or 2.
    for (const entry of gradientValues) expect([0, 1, 2]).toContain(entry);
    // Output segment 1 = summed row 2 = gathered row 3 = input row 2, so row 2 gets gradient 1.
    expect(Array.from(gradientValues.subarray(2 * channels, 3 * channels))).toEqual([1, 1]);
    gradient.dispose();
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
  });
});
