import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import {
  BatchNorm,
  Initializer,
  LayerNorm,
  Linear,
  Mlp,
  Module,
  MultiHeadAttention,
  WeightLoadError,
  gelu,
  loadWeights,
  serializeWeights,
} from '../src/index.js';

class TinyModel extends Module {
  readonly projection: Linear;
  readonly norm: LayerNorm;
  readonly batchNorm: BatchNorm;
  constructor(seed: number, width = 4) {
    super('tiny');
    const initializer = new Initializer(seed);
    this.projection = this.addChild(new Linear('projection', 3, width, initializer, 'projection'));
    this.norm = this.addChild(new LayerNorm('norm', width));
    this.batchNorm = this.addChild(new BatchNorm('batch_norm', width));
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gelu', () => {
  it('equals the tanh form 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³))), forward and gradient', () => {
    const tanhForm = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    const inputs = Array.from({ length: 241 }, (_, index) => -6 + index * 0.05);
    const x = tf.tensor1d(inputs);
    const [values, gradient] = tf.tidy(() => [gelu(x), tf.grad((input: tf.Tensor) => tf.sum(gelu(input)))(x)]);
    const forward = values.dataSync();
    const backward = gradient.dataSync();
    const step = 1e-4;
    inputs.forEach((input, index) => {
      expect(forward[index]).toBeCloseTo(tanhForm(input), 4);
      expect(backward[index]).toBeCloseTo((tanhForm(input + step) - tanhForm(input - step)) / (2 * step), 3);
    });
    tf.dispose([x, values, gradient]);
  });
});

describe('Linear', () => {
  it('computes x W + b for rank-2 and rank-3 inputs', () => {
    const layer = new Linear('linear', 3, 2, new Initializer(1), 'linear');
    layer.weight.assign(tf.tensor2d([[1, 2], [3, 4], [5, 6]]));
    layer.bias!.assign(tf.tensor1d([0.5, -0.5]));
    const output = layer.apply(tf.tensor2d([[1, 0, -1]]));
    expect(Array.from(output.dataSync())).toEqual([1 - 5 + 0.5, 2 - 6 - 0.5]);
    const batched = layer.apply(tf.ones([2, 5, 3]));
    expect(batched.shape).toEqual([2, 5, 2]);
    expect(batched.dataSync()[1]).toBeCloseTo(12 - 0.5);
  });

  it('initialises deterministically from the seed and the variable path', () => {
    const first = new Linear('a', 8, 8, new Initializer(7), 'x.a').weight.dataSync();
    const same = new Linear('a', 8, 8, new Initializer(7), 'x.a').weight.dataSync();
    const otherPath = new Linear('a', 8, 8, new Initializer(7), 'x.b').weight.dataSync();
    expect(Array.from(same)).toEqual(Array.from(first));
    expect(Array.from(otherPath)).not.toEqual(Array.from(first));
    const limit = Math.sqrt(6 / 16);
    for (const value of first) expect(Math.abs(value)).toBeLessThanOrEqual(limit);
  });
});

describe('normalisation', () => {
  it('LayerNorm gives zero mean and unit variance per row', () => {
    const norm = new LayerNorm('norm', 4);
    const output = norm.apply(tf.tensor2d([[1, 2, 3, 4], [10, 10, 10, 14]]));
    const values = output.arraySync() as number[][];
    for (const row of values) {
      const mean = row.reduce((sum, value) => sum + value, 0) / 4;
      const variance = row.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 4;
      expect(mean).toBeCloseTo(0, 5);
      expect(variance).toBeCloseTo(1, 2);
    }
  });

  it('BatchNorm uses batch statistics in training and running statistics in inference', () => {
    const norm = new BatchNorm('bn', 2, 1e-5, 0.5);
    const input = tf.tensor2d([[0, 10], [2, 30]]);
    norm.setTraining(true);
    const trained = norm.apply(input).arraySync();
    expect(trained[0][0]).toBeCloseTo(-1, 3);
    expect(trained[1][1]).toBeCloseTo(1, 3);
    // running mean = 0.5 * 0 + 0.5 * batch mean; running variance uses the unbiased estimate.
    expect(Array.from(norm.runningMean.dataSync())).toEqual([0.5, 10]);
    expect(norm.runningVariance.dataSync()[0]).toBeCloseTo(0.5 + 0.5 * 2, 5);
    norm.setTraining(false);
    const inferred = norm.apply(tf.tensor2d([[0.5, 10]])).dataSync();
    expect(inferred[0]).toBeCloseTo(0, 3);
  });
});

describe('MultiHeadAttention', () => {
  it('matches a per-head reference computation', () => {
    const attention = new MultiHeadAttention('attention', 4, 2, new Initializer(3), 'attention');
    const queries = tf.randomNormal([3, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const keys = tf.randomNormal([5, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    const output = attention.apply(queries, keys, keys).arraySync();
    const variables = attention.namedVariables();
    const project = (x: tf.Tensor2D, name: string) =>
      tf.add(tf.matMul(x, variables.get(`${name}.weight`)! as tf.Tensor2D), variables.get(`${name}.bias`)!).arraySync() as number[][];
    const q = project(queries, 'query');
    const k = project(keys, 'key');
    const v = project(keys, 'value');
    const merged = q.map((queryRow) => {
      const row: number[] = [];
      for (let head = 0; head < 2; head++) {
        const slice = (vector: number[]) => vector.slice(head * 2, head * 2 + 2);
        const logits = k.map((keyRow) => slice(queryRow).reduce((sum, value, index) => sum + value * slice(keyRow)[index], 0) / Math.SQRT2);
        const maximum = Math.max(...logits);
        const exponentials = logits.map((logit) => Math.exp(logit - maximum));
        const total = exponentials.reduce((sum, value) => sum + value, 0);
        for (let channel = 0; channel < 2; channel++) {
          row.push(exponentials.reduce((sum, weight, index) => sum + (weight / total) * slice(v[index])[channel], 0));
        }
      }
      return row;
    });
    const expected = project(tf.tensor2d(merged), 'output');
    for (let row = 0; row < 3; row++) {
      for (let channel = 0; channel < 4; channel++) expect(output[row][channel]).toBeCloseTo(expected[row][channel], 4);
    }
  });
});

describe('modules and weights', () => {
  it('names, counts and serialises every variable, and a round trip restores outputs', () => {
    const model = new TinyModel(1);
    const names = [...model.namedVariables().keys()];
    expect(names).toEqual([
      'projection.weight',
      'projection.bias',
      'norm.gamma',
      'norm.beta',
      'batch_norm.gamma',
      'batch_norm.beta',
      'batch_norm.running_mean',
      'batch_norm.running_variance',
    ]);
    expect(model.countParams()).toBe(3 * 4 + 4 + 4 + 4 + 4 + 4);
    const { manifest, data } = serializeWeights(model);
    const restored = new TinyModel(2);
    const input = tf.tensor2d([[0.1, 0.2, 0.3]]);
    expect(Array.from(restored.projection.apply(input).dataSync())).not.toEqual(Array.from(model.projection.apply(input).dataSync()));
    loadWeights(restored, manifest, data);
    expect(Array.from(restored.projection.apply(input).dataSync())).toEqual(Array.from(model.projection.apply(input).dataSync()));
  });

  it('rejects another architecture or a truncated blob without touching the model', () => {
    const source = new TinyModel(1, 4);
    const { manifest, data } = serializeWeights(source);
    const wider = new TinyModel(2, 6);
    const before = Array.from(wider.projection.weight.dataSync());
    expect(() => loadWeights(wider, manifest, data, 'model.bin')).toThrow(/model.bin.*shape/);
    expect(Array.from(wider.projection.weight.dataSync())).toEqual(before);
    const target = new TinyModel(3, 4);
    const targetBefore = Array.from(target.projection.weight.dataSync());
    expect(() => loadWeights(target, manifest, data.subarray(0, data.byteLength - 8), 'model.bin')).toThrow(WeightLoadError);
    expect(() => loadWeights(target, manifest, data.subarray(0, data.byteLength - 8), 'model.bin')).toThrow(/truncated/);
    expect(Array.from(target.projection.weight.dataSync())).toEqual(targetBefore);
    expect(() => loadWeights(target, manifest.slice(1), data)).toThrow(/missing 1/);
  });

  it('leaks no tensors through a forward pass and a gradient step', () => {
    const model = new TinyModel(1);
    const mlp = new Mlp('mlp', 4, 8, 2, new Initializer(1), 'mlp');
    const input = tf.randomNormal([6, 3]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() =>
      tf.sum(mlp.apply(gelu(model.norm.apply(model.projection.apply(input))))) as tf.Scalar,
    );
    for (const gradient of Object.values(grads)) {
      const total = tf.tidy(() => tf.sum(tf.abs(gradient)).dataSync()[0]);
      expect(Number.isFinite(total) && total > 0).toBe(true);
    }
    expect(Object.keys(grads).length).toBe(model.trainableVariables().length - 2 + mlp.trainableVariables().length);
    value.dispose();
    tf.dispose(Object.values(grads));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('half-precision weights', () => {
  it('converts exactly representable values exactly and rounds others to the nearest half', async () => {
    const { toHalfBits, fromHalfBits } = await import('../src/index.js');
    for (const value of [0, 1, -2, 0.5, 65504, -(2 ** -14), 2 ** -24, 3 * 2 ** -24, 1024 + 1]) {
      expect(fromHalfBits(toHalfBits(value))).toBe(value);
    }
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(fromHalfBits(toHalfBits(1e6))).toBe(Infinity);
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
    // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties go to even (1).
    expect(fromHalfBits(toHalfBits(1 + 2 ** -11))).toBe(1);
    expect(fromHalfBits(toHalfBits(1 + 3 * 2 ** -11))).toBe(1 + 2 * 2 ** -10);
    for (let trial = 0; trial < 1000; trial++) {
      const value = (Math.random() - 0.5) * 200;
      expect(Math.abs(fromHalfBits(toHalfBits(value)) - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11 + 1e-7);
    }
  });

  it('stores a model in float16 at half the size and restores it to half precision', () => {
    const model = new TinyModel(1);
    const full = serializeWeights(model);
    const half = serializeWeights(model, { dtype: 'float16' });
    expect(half.data.byteLength).toBe(full.data.byteLength / 2);
    expect(half.manifest.every((entry) => entry.dtype === 'float16')).toBe(true);
    const restored = new TinyModel(2);
    loadWeights(restored, half.manifest, half.data);
    const original = model.projection.weight.dataSync();
    const loaded = restored.projection.weight.dataSync();
    original.forEach((value, index) => expect(Math.abs(loaded[index] - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11 + 1e-7));
  });
});
