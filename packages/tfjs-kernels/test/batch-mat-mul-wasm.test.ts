import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, useBackend } from './backend-fixtures.js';

/** Plain triple loop over float64: the reference for every flag combination. */
function referenceProduct(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): Float64Array {
  const result = new Float64Array(batch * m * n);
  for (let item = 0; item < batch; item++) {
    for (let row = 0; row < m; row++) {
      for (let column = 0; column < n; column++) {
        let sum = 0;
        for (let inner = 0; inner < k; inner++) {
          const left = transposeA ? a[item * k * m + inner * m + row] : a[item * m * k + row * k + inner];
          const right = transposeB ? b[item * n * k + column * k + inner] : b[item * k * n + inner * n + column];
          sum += left * right;
        }
        result[item * m * n + row * n + column] = sum;
      }
    }
  }
  return result;
}

describe('wasm BatchMatMul override (transpose first, then the stock kernel)', () => {
  beforeAll(async () => {
    expect(await useBackend('wasm')).toBe(true);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matches a float64 reference with transposeA=%s transposeB=%s, batched and not, without leaking', (transposeA, transposeB) => {
    const [batch, m, k, n] = [3, 5, 7, 4];
    const a = randomValues(batch * m * k, 1);
    const b = randomValues(batch * k * n, 2);
    const shapeA = transposeA ? [batch, k, m] : [batch, m, k];
    const shapeB = transposeB ? [batch, n, k] : [batch, k, n];
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const product = tf.tidy(() => tf.matMul(tf.tensor3d(a, shapeA as [number, number, number]), tf.tensor3d(b, shapeB as [number, number, number]), transposeA, transposeB).dataSync());
    const expected = referenceProduct(a, b, batch, m, k, n, transposeA, transposeB);
    expect(product.length).toBe(expected.length);
    product.forEach((value, index) => expect(value).toBeCloseTo(expected[index], 4));
    const flat = tf.tidy(() =>
      tf.matMul(tf.tensor2d(a.subarray(0, m * k), (transposeA ? [k, m] : [m, k]) as [number, number]), tf.tensor2d(b.subarray(0, k * n), (transposeB ? [n, k] : [k, n]) as [number, number]), transposeA, transposeB).dataSync(),
    );
    const flatExpected = referenceProduct(a, b, 1, m, k, n, transposeA, transposeB);
    flat.forEach((value, index) => expect(value).toBeCloseTo(flatExpected[index], 4));
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
  });

  it('keeps matMul gradients correct', () => {
    const a = tf.tensor2d(randomValues(12, 3), [3, 4]);
    const b = tf.tensor2d(randomValues(8, 4), [4, 2]);
    const [gradientA, gradientB] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]);
    // d/dA sum(A B) = 1 Bᵀ: every row of dA is the row sums of B; d/dB = Aᵀ 1: every column of dB is A's column sums.
    const rowSumsOfB = (b.arraySync() as number[][]).map((row) => row.reduce((sum, value) => sum + value, 0));
    for (const row of gradientA.arraySync() as number[][]) row.forEach((value, index) => expect(value).toBeCloseTo(rowSumsOfB[index], 5));
    const columnSumsOfA = [0, 1, 2, 3].map((column) => (a.arraySync() as number[][]).reduce((sum, row) => sum + row[column], 0));
    (gradientB.arraySync() as number[][]).forEach((row, rowIndex) => {
      for (const value of row) expect(value).toBeCloseTo(columnSumsOfA[rowIndex], 5);
    });
  });
});
