import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findMatMulWasmRuntime } from '../src/backends/wasm/mat-mul-wasm.js';
import { setWasmMatMulKernel, type WasmMatMulKernel } from '../src/wasm.js';
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

describe.each(['stock', 'packed', 'auto'] as WasmMatMulKernel[])('wasm BatchMatMul override, %s kernel', (kernel) => {
  beforeAll(async () => {
    expect(await useBackend('wasm')).toBe(true);
  });
  it('finds the single-threaded backend memory, so the packed kernel really runs in these tests', () => {
    expect(findMatMulWasmRuntime(tf.backend())).not.toBeNull();
  });

  beforeEach(() => {
    setWasmMatMulKernel(kernel);
  });
  afterEach(() => {
    setWasmMatMulKernel('auto');
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
      tf.matMul(tf.tensor2d(a.subarray(0, m * k), (transposeA ? [k, m] : [m, k])), tf.tensor2d(b.subarray(0, k * n), (transposeB ? [n, k] : [k, n])), transposeA, transposeB).dataSync(),
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
    const rowSumsOfB = (b.arraySync()).map((row) => row.reduce((sum, value) => sum + value, 0));
    for (const row of gradientA.arraySync() as number[][]) row.forEach((value, index) => expect(value).toBeCloseTo(rowSumsOfB[index], 5));
    const columnSumsOfA = [0, 1, 2, 3].map((column) => (a.arraySync()).reduce((sum, row) => sum + row[column], 0));
    (gradientB.arraySync() as number[][]).forEach((row, rowIndex) => {
      for (const value of row) expect(value).toBeCloseTo(columnSumsOfA[rowIndex], 5);
    });
  });
  it.each([
    // [batchA, batchB, m, k, n]: odd sizes hit every row and column tail of the 4 × 8 tile.
    [1, 1, 3, 7, 5],
    [1, 1, 1, 1, 1],
    [1, 1, 1000, 33, 17],
    [1, 1, 9, 16, 8],
    [1, 1, 130, 3, 513],
    [4, 4, 6, 5, 11],
    [3, 1, 5, 9, 7],
    [1, 3, 5, 9, 7],
  ])('matches a float64 reference for batch %i×%i, [%i, %i] · [%i, %i shown as k, n], every flag', (batchA, batchB, m, k, n) => {
    const batch = Math.max(batchA, batchB);
    const a = randomValues(batchA * m * k, 11 + m);
    const b = randomValues(batchB * k * n, 17 + n);
    for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
      // The reference indexes operands per batch item; broadcast ones are repeated.
      const repeat = (values: Float32Array, items: number) => {
        const repeated = new Float32Array(values.length * (batch / items));
        for (let item = 0; item < batch; item++) repeated.set(values.subarray((item % items) * (values.length / items), ((item % items) + 1) * (values.length / items)), (item * values.length) / items);
        return repeated;
      };
      // Stored transposed when flagged: element (row, inner) of item i sits at [i][inner][row].
      const storeA = transposeA ? transposeItems(a, batchA, m, k) : a;
      const storeB = transposeB ? transposeItems(b, batchB, k, n) : b;
      const before = tf.memory().numTensors;
      const product = tf.tidy(() =>
        tf.matMul(
          tf.tensor3d(storeA, (transposeA ? [batchA, k, m] : [batchA, m, k])),
          tf.tensor3d(storeB, (transposeB ? [batchB, n, k] : [batchB, k, n])),
          transposeA,
          transposeB,
        ).dataSync(),
      );
      const expected = referenceProduct(repeat(storeA, batchA), repeat(storeB, batchB), batch, m, k, n, transposeA, transposeB);
      expect(product.length).toBe(expected.length);
      let worst = 0;
      product.forEach((value, index) => (worst = Math.max(worst, Math.abs(value - expected[index]))));
      // float32 sums of k products of values in [-1, 1): error grows about like √k ulp.
      expect(worst).toBeLessThan(1e-5 * Math.max(1, k));
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('rank-2 A against a batched B broadcasts like the stock kernel', () => {
    const a = tf.tensor2d(randomValues(6 * 4, 5), [6, 4]);
    const b = tf.tensor3d(randomValues(2 * 4 * 3, 6), [2, 4, 3]);
    const product = tf.matMul(a, b);
    expect(product.shape).toEqual([2, 6, 3]);
    const values = product.dataSync();
    const expected = referenceProduct(new Float32Array([...a.dataSync(), ...a.dataSync()]), b.dataSync() as Float32Array, 2, 6, 4, 3, false, false);
    values.forEach((value, index) => expect(value).toBeCloseTo(expected[index], 5));
    tf.dispose([a, b, product]);
  });

  it('keeps the gradient of a tall, narrow product (the shapes of point networks) equal to the stock one', () => {
    const a = tf.tensor2d(randomValues(517 * 24, 7), [517, 24]);
    const b = tf.tensor2d(randomValues(24 * 40, 8), [24, 40]);
    const weights = tf.tensor2d(randomValues(517 * 40, 9), [517, 40]);
    const before = tf.memory().numTensors;
    const loss = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), weights));
    const [gradientA, gradientB] = tf.grads(loss)([a, b]);
    // d/dA = W Bᵀ and d/dB = Aᵀ W, computed here in float64 from plain arrays.
    const expectedA = referenceProduct(weights.dataSync() as Float32Array, b.dataSync() as Float32Array, 1, 517, 40, 24, false, true);
    const expectedB = referenceProduct(a.dataSync() as Float32Array, weights.dataSync() as Float32Array, 1, 24, 517, 40, true, false);
    gradientA.dataSync().forEach((value, index) => expect(value).toBeCloseTo(expectedA[index], 3));
    gradientB.dataSync().forEach((value, index) => expect(value).toBeCloseTo(expectedB[index], 3));
    tf.dispose([gradientA, gradientB]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, weights]);
  });
});

describe('wasm packed matMul, narrow products (8–13 columns, the decoder\'s voxel × click shapes)', () => {
  beforeAll(async () => {
    expect(await useBackend('wasm')).toBe(true);
    setWasmMatMulKernel('packed');
  });
  afterAll(() => {
    setWasmMatMulKernel('auto');
  });

  // Column counts around one and two panels, rows not a multiple of the tile's 4, the decoder's inner size (32)
  // and one past the short-inner limit (129): each sum is the float32 sum over k in order, one multiply and one
  // add per step (no FMA in SIMD128), so every product equals the sequential float32 reference to the bit.
  it.each([
    [103, 32, 8],
    [103, 32, 9],
    [103, 32, 10],
    [102, 32, 11],
    [101, 32, 12],
    [103, 32, 13],
    [103, 129, 10],
  ])('[%i, %i] · [%i columns] equals the sequential float32 sum, transposed B too', (rows, inner, columns) => {
    const a = randomValues(rows * inner, 5);
    const b = randomValues(inner * columns, 6);
    const expected = new Float32Array(rows * columns);
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        let sum = 0;
        for (let k = 0; k < inner; k++) sum = Math.fround(sum + Math.fround(a[row * inner + k] * b[k * columns + column]));
        expected[row * columns + column] = sum;
      }
    }
    const product = tf.tidy(() => tf.matMul(tf.tensor2d(a, [rows, inner]), tf.tensor2d(b, [inner, columns])).dataSync());
    expect(Array.from(product)).toEqual(Array.from(expected));
    const transposed = transposeItems(b, 1, inner, columns);
    const productTransposed = tf.tidy(() => tf.matMul(tf.tensor2d(a, [rows, inner]), tf.tensor2d(transposed, [columns, inner]), false, true).dataSync());
    expect(Array.from(productTransposed)).toEqual(Array.from(expected));
  });
});

/** Stores each [rows × columns] item of `values` transposed ([columns × rows]). */
function transposeItems(values: Float32Array, items: number, rows: number, columns: number): Float32Array {
  const result = new Float32Array(values.length);
  for (let item = 0; item < items; item++) {
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) result[item * rows * columns + column * rows + row] = values[item * rows * columns + row * columns + column];
    }
  }
  return result;
}
