import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMaskLogitsWithPriors, KernelArgumentError, MASK_LOGITS_WITH_PRIORS, maskLogitsWithPriors, type MaskLogitsPriors } from '../src/index.js';
import { BACKENDS, maxAbsoluteDifference, numericalGradient, probeWebGpu, randomValues, useBackend } from './backend-fixtures.js';

// Probed once per file: WebGPU runs only where Dawn finds an adapter (SwiftShader in CI).
const webGpuAdapter = await probeWebGpu();

/** The decoder's shape in miniature: voxels × clicks, 10 clicks as in a 10-click update. */
const ROWS = 1031;
const COLUMNS = 10;

/** Which terms a case adds to the product. */
interface TermCase {
  name: string;
  rowBias: boolean;
  distance: boolean;
  geodesic: boolean;
  /** Row bias as [columns] instead of the decoder's [1, columns]. */
  flatRowBias?: boolean;
}

const CASES: TermCase[] = [
  { name: 'all terms', rowBias: true, distance: true, geodesic: true },
  { name: 'no terms', rowBias: false, distance: false, geodesic: false },
  { name: 'row bias [columns] only', rowBias: true, distance: false, geodesic: false, flatRowBias: true },
  { name: 'distance prior only', rowBias: false, distance: true, geodesic: false },
  { name: 'geodesic prior only', rowBias: false, distance: false, geodesic: true },
  { name: 'row bias and geodesic prior', rowBias: true, distance: false, geodesic: true },
];

/** Inputs on a decoder-like scale: logits of a few units, a kernel in [0, 1], distances of metres. */
function makePriors(terms: TermCase, rows: number, seed: number): { product: tf.Tensor2D; priors: MaskLogitsPriors } {
  const product = tf.tensor2d(randomValues(rows * COLUMNS, seed).map((value) => value * 6), [rows, COLUMNS]);
  const priors: MaskLogitsPriors = {};
  if (terms.rowBias) priors.rowBias = tf.tensor(randomValues(COLUMNS, seed + 1), terms.flatRowBias ? [COLUMNS] : [1, COLUMNS]);
  if (terms.distance) {
    const kernel = randomValues(rows * COLUMNS, seed + 2).map((value) => Math.abs(value));
    priors.distance = { values: tf.tensor2d(kernel, [rows, COLUMNS]), gain: tf.scalar(8.25), bias: tf.scalar(-3.875) };
  }
  if (terms.geodesic) {
    const distances = randomValues(rows * COLUMNS, seed + 3).map((value) => 3 * Math.abs(value));
    priors.geodesic = { values: tf.tensor2d(distances, [rows, COLUMNS]), gain: tf.scalar(4.125), bias: tf.scalar(2.0625) };
  }
  return { product, priors };
}

/** Every tensor of a case, product first, in the op's input order. */
function caseTensors(product: tf.Tensor2D, priors: MaskLogitsPriors): tf.Tensor[] {
  const { rowBias, distance, geodesic } = priors;
  return [product, ...(rowBias ? [rowBias] : []), ...(distance ? [distance.values, distance.gain, distance.bias] : []), ...(geodesic ? [geodesic.values, geodesic.gain, geodesic.bias] : [])];
}

/** Rebuilds the priors of a case from its tensors in {@link caseTensors} order. */
function rebuild(terms: TermCase, tensors: tf.Tensor[]): [tf.Tensor2D, MaskLogitsPriors] {
  const queue = [...tensors];
  const product = queue.shift() as tf.Tensor2D;
  const priors: MaskLogitsPriors = {};
  if (terms.rowBias) priors.rowBias = queue.shift();
  if (terms.distance) priors.distance = { values: queue.shift() as tf.Tensor2D, gain: queue.shift() as tf.Scalar, bias: queue.shift() as tf.Scalar };
  if (terms.geodesic) priors.geodesic = { values: queue.shift() as tf.Tensor2D, gain: queue.shift() as tf.Scalar, bias: queue.shift() as tf.Scalar };
  return [product, priors];
}

/** Largest |a − b| / max(1, |b|). */
function maxRelativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let index = 0; index < expected.length; index++) worst = Math.max(worst, Math.abs(actual[index] - expected[index]) / Math.max(1, Math.abs(expected[index])));
  return worst;
}

describe.each(BACKENDS)('maskLogitsWithPriors on %s', (backend) => {
  // WebGPU is skipped (with the console warning printed by probeWebGpu) when no adapter exists.
  const unavailable = backend === 'webgpu' && webGpuAdapter == null;
  // cpu rounds each step with Math.fround and wasm runs C with no fused multiply-add, in the composite's order,
  // so both equal the composite exactly; a WGSL compiler may fuse a multiply and an add (last-bit differences).
  const tolerance = backend === 'webgpu' ? 1e-5 : 0;

  beforeAll(async () => {
    if (!unavailable) expect(await useBackend(backend)).toBe(true);
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it.skipIf(unavailable)('runs the registered kernel, not the composite', () => {
    expect(tf.getKernel(MASK_LOGITS_WITH_PRIORS, backend)).toBeDefined();
  });

  describe.skipIf(unavailable).each(CASES)('$name', (terms) => {
    it('matches the composite of stock ops, leaking no tensor', async () => {
      const { product, priors } = makePriors(terms, ROWS, 11);
      const before = tf.memory().numTensors;
      const fused = maskLogitsWithPriors(product, priors);
      const composite = composeMaskLogitsWithPriors(product, priors);
      expect(fused.shape).toEqual([ROWS, COLUMNS]);
      expect(tf.memory().numTensors).toBe(before + (composite === product ? 1 : 2));
      expect(maxRelativeDifference(await fused.data(), await composite.data())).toBeLessThanOrEqual(tolerance);
      tf.dispose([fused, composite === product ? [] : composite, ...caseTensors(product, priors)]);
    });

    it('has the composite gradient for every input, leaking no tensor', async () => {
      const { product, priors } = makePriors(terms, ROWS, 21);
      const inputs = caseTensors(product, priors);
      const weights = tf.tensor2d(randomValues(ROWS * COLUMNS, 29), [ROWS, COLUMNS]);
      const loss = (build: typeof maskLogitsWithPriors) => (...tensors: tf.Tensor[]) => tf.sum(tf.mul(build(...rebuild(terms, tensors)), weights)) as tf.Scalar;
      const before = tf.memory().numTensors;
      const fused = tf.tidy(() => tf.grads(loss(maskLogitsWithPriors))(inputs));
      expect(tf.memory().numTensors).toBe(before + inputs.length);
      const composite = tf.tidy(() => tf.grads(loss((product, priors) => tf.add(composeMaskLogitsWithPriors(product, priors), 0)))(inputs));
      for (const [index, gradient] of fused.entries()) {
        expect(gradient.shape, `input ${index}`).toEqual(inputs[index].shape);
        // Sums over ~10⁴ elements: relative to their size, as the summation orders differ.
        expect(maxRelativeDifference(await gradient.data(), await composite[index].data()), `input ${index}`).toBeLessThan(1e-4);
      }
      tf.dispose([...fused, ...composite, ...inputs, weights]);
    });
  });

  it.skipIf(unavailable)('has gradients that match central differences (gains and biases)', async () => {
    const rows = 7;
    const { product, priors } = makePriors(CASES[0], rows, 41);
    const weights = tf.tensor2d(randomValues(rows * COLUMNS, 43), [rows, COLUMNS]);
    // The four scalars, perturbed together as one [4] vector.
    const scalars = new Float32Array([8.25, -3.875, 4.125, 2.0625]);
    const loss = (vector: tf.Tensor) => {
      const [distanceGain, distanceBias, geodesicGain, geodesicBias] = tf.unstack(vector) as tf.Scalar[];
      const logits = maskLogitsWithPriors(product, {
        rowBias: priors.rowBias,
        distance: { values: priors.distance!.values, gain: distanceGain, bias: distanceBias },
        geodesic: { values: priors.geodesic!.values, gain: geodesicGain, bias: geodesicBias },
      });
      return tf.sum(tf.mul(logits, weights)) as tf.Scalar;
    };
    const analytic = tf.tidy(() => tf.grad(loss)(tf.tensor1d(scalars)));
    const numeric = await numericalGradient(loss, scalars, [4], 1e-1);
    expect(maxAbsoluteDifference(await analytic.data(), numeric)).toBeLessThan(2e-2);
    tf.dispose([analytic, weights, ...caseTensors(product, priors)]);
  });

  it.skipIf(unavailable)('rejects mismatched inputs with a KernelArgumentError naming the field', () => {
    const product = tf.zeros([4, 3]) as tf.Tensor2D;
    const wrong = tf.zeros([4, 2]) as tf.Tensor2D;
    const gain = tf.scalar(1);
    expect(() => maskLogitsWithPriors(product, { rowBias: tf.zeros([1, 4]) })).toThrow(/rowBias\.shape must be \[3\] or \[1, 3\], got \[1, 4\]/);
    expect(() => maskLogitsWithPriors(product, { distance: { values: wrong, gain, bias: gain } })).toThrow(KernelArgumentError);
    expect(() => maskLogitsWithPriors(product, { geodesic: { values: wrong, gain, bias: gain } })).toThrow(/geodesic\.values\.shape/);
    expect(() => maskLogitsWithPriors(product, { distance: { values: product, gain: tf.zeros([2]) as tf.Scalar, bias: gain } })).toThrow(/distance\.gain\.shape/);
    expect(() => maskLogitsWithPriors(tf.zeros([4, 3], 'int32') as tf.Tensor2D)).toThrow(/product\.dtype/);
    tf.dispose([product, wrong, gain]);
  });
});
