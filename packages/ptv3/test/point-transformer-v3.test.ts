import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { NUMERIC_CHECK_CONFIG, createRandom, makeCloud, useBackend } from './test-helpers.js';
import { PointTransformerInputError, createPointTransformerV3, type PointTransformerV3 } from '../src/index.js';

describe('createPointTransformerV3', () => {
  beforeAll(async () => useBackend('cpu'));

  it("'base' has Pointcept PT-v3m1's 46.17 M parameters (within 0.5 %)", () => {
    const model = createPointTransformerV3('base');
    try {
      const count = model.countParams();
      expect(Math.abs(count - 46.17e6) / 46.17e6).toBeLessThan(0.005);
      // Independent count of Pointcept's layout: per block 40C² + 17C (cpe conv 27C²+C, cpe linear C²+C,
      // 3 LayerNorms 6C, qkv 3C²+3C, proj C²+C, mlp 8C²+5C).
      const block = (c: number) => 40 * c * c + 17 * c;
      const encoder = [2, 2, 2, 6, 2].reduce((total, depth, stage) => total + depth * block([32, 64, 128, 256, 512][stage]), 0);
      const decoder = [2, 2, 2, 2].reduce((total, depth, stage) => total + depth * block([64, 64, 128, 256][stage]), 0);
      const pooling = [[32, 64], [64, 128], [128, 256], [256, 512]].reduce((total, [a, b]) => total + a * b + 3 * b, 0);
      const unpooling = [[64, 32, 64], [128, 64, 64], [256, 128, 128], [512, 256, 256]].reduce(
        (total, [input, skip, output]) => total + input * output + skip * output + 6 * output,
        0,
      );
      const stem = 125 * 6 * 32 + 2 * 32;
      expect(count).toBe(encoder + decoder + pooling + unpooling + stem);
    } finally {
      model.dispose();
    }
  });

  it("'lite' is smaller and every stage option is configurable", () => {
    const lite = createPointTransformerV3('lite');
    const custom = createPointTransformerV3({ ...NUMERIC_CHECK_CONFIG, encoderChannels: [8, 16, 24], encoderHeads: [2, 2, 2] });
    try {
      expect(lite.countParams()).toBeLessThan(10e6);
      expect(custom.config.encoderChannels).toEqual([8, 16, 24]);
    } finally {
      lite.dispose();
      custom.dispose();
    }
  });

  it('rejects inconsistent configurations naming the field', () => {
    expect(() => createPointTransformerV3({ ...NUMERIC_CHECK_CONFIG, encoderHeads: [3, 2, 4] })).toThrow(PointTransformerInputError);
    expect(() => createPointTransformerV3({ ...NUMERIC_CHECK_CONFIG, decoderDepths: [1] })).toThrow(/config.decoderDepths/);
  });
});

describe.each(['cpu', 'wasm'] as const)('PointTransformerV3 on %s', (backend) => {
  let model: PointTransformerV3;
  beforeAll(async () => {
    await useBackend(backend);
    model = createPointTransformerV3(NUMERIC_CHECK_CONFIG);
  });
  afterAll(() => model.dispose());

  it('returns levels coarsest → finest with consistent shapes and maps', () => {
    const cloud = makeCloud(600, 1);
    const output = model.apply(cloud);
    try {
      expect(output.levels).toHaveLength(3);
      const finest = output.levels[2];
      const finestCount = finest.features.shape[0];
      expect(output.inputToFinest).toHaveLength(600);
      expect(Math.max(...output.inputToFinest)).toBe(finestCount - 1);
      const expectedChannels = [16, 16, 8];
      output.levels.forEach((level, index) => {
        const voxels = level.features.shape[0];
        expect(level.features.shape[1]).toBe(expectedChannels[index]);
        expect(level.coordinates).toHaveLength(voxels * 3);
        expect(level.gridCoordinates).toHaveLength(voxels * 3);
        expect(level.finestToLevel).toHaveLength(finestCount);
        expect(level.voxelSize).toBeCloseTo(0.05 * 2 ** (2 - index), 10);
        expect(Math.max(...level.finestToLevel)).toBe(voxels - 1);
        expect(new Set(level.finestToLevel).size).toBe(voxels);
      });
      // Coarser levels have fewer voxels, and every finest voxel lies inside its coarse voxel.
      expect(output.levels[0].features.shape[0]).toBeLessThan(output.levels[1].features.shape[0]);
      const coarse = output.levels[0];
      for (let voxel = 0; voxel < finestCount; voxel++) {
        const parent = coarse.finestToLevel[voxel];
        for (let axis = 0; axis < 3; axis++) {
          expect(finest.gridCoordinates[3 * voxel + axis] >> 2).toBe(coarse.gridCoordinates[3 * parent + axis]);
        }
      }
      for (const level of output.levels) expect(Number.isFinite(tf.sum(level.features).dataSync()[0])).toBe(true);
    } finally {
      output.dispose();
    }
  });

  it('per-point features are invariant to the order of the input points', () => {
    const cloud = makeCloud(500, 2);
    const random = createRandom(3);
    const permutation = Array.from({ length: 500 }, (_, index) => index);
    for (let index = permutation.length - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1));
      [permutation[index], permutation[other]] = [permutation[other], permutation[index]];
    }
    const permuted = { positions: new Float32Array(1500), colors: new Uint8Array(1500) };
    permutation.forEach((source, target) => {
      permuted.positions.set(cloud.positions.subarray(3 * source, 3 * source + 3), 3 * target);
      permuted.colors.set(cloud.colors.subarray(3 * source, 3 * source + 3), 3 * target);
    });
    const original = model.apply(cloud);
    const shuffled = model.apply(permuted);
    try {
      const channels = original.levels[2].features.shape[1];
      const a = original.levels[2].features.dataSync();
      const b = shuffled.levels[2].features.dataSync();
      let largest = 0;
      permutation.forEach((source, target) => {
        const voxelA = original.inputToFinest[source];
        const voxelB = shuffled.inputToFinest[target];
        for (let channel = 0; channel < channels; channel++) {
          largest = Math.max(largest, Math.abs(a[voxelA * channels + channel] - b[voxelB * channels + channel]));
        }
      });
      expect(largest).toBeLessThan(1e-4);
    } finally {
      original.dispose();
      shuffled.dispose();
    }
  });

  it('works without colours (zero colour channels)', () => {
    const { positions } = makeCloud(300, 4);
    const output = model.apply({ positions });
    try {
      expect(output.levels[2].features.shape[1]).toBe(8);
    } finally {
      output.dispose();
    }
  });

  it('leaks no tensors across a forward pass and a training step, and every weight gets a finite gradient', () => {
    const cloud = makeCloud(400, 5);
    const optimizer = tf.train.sgd(1e-3);
    const before = tf.memory().numTensors;
    model.apply(cloud).dispose();
    expect(tf.memory().numTensors).toBe(before);

    model.setTraining(true);
    try {
      const hierarchy = model.buildHierarchy(cloud);
      const names = [...model.namedVariables().entries()].filter(([, variable]) => variable.trainable);
      const { value, grads } = tf.variableGrads(() => {
        const output = model.applyHierarchy(hierarchy);
        const losses = output.levels.map((level) => tf.mean(tf.square(level.features)));
        return tf.addN(losses) as tf.Scalar;
      });
      expect(Object.keys(grads).length).toBe(names.length);
      for (const [name, variable] of names) {
        const gradient = grads[variable.name];
        expect(gradient, name).toBeDefined();
        const values = gradient.dataSync();
        expect(values.every(Number.isFinite), `${name} finite`).toBe(true);
        expect(values.some((entry) => entry !== 0), `${name} non-zero`).toBe(true);
      }
      optimizer.applyGradients(grads);
      value.dispose();
      tf.dispose(grads);
    } finally {
      model.setTraining(false);
    }
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
  });
});

describe('backend parity', () => {
  it('cpu and wasm forward passes agree', async () => {
    await useBackend('cpu');
    const model = createPointTransformerV3(NUMERIC_CHECK_CONFIG);
    const cloud = makeCloud(700, 6);
    try {
      const cpuOutput = model.apply(cloud);
      const cpuValues = cpuOutput.levels.map((level) => level.features.dataSync().slice());
      cpuOutput.dispose();
      await useBackend('wasm');
      const wasmOutput = model.apply(cloud);
      wasmOutput.levels.forEach((level, index) => {
        const values = level.features.dataSync();
        let largest = 0;
        for (let entry = 0; entry < values.length; entry++) largest = Math.max(largest, Math.abs(values[entry] - cpuValues[index][entry]));
        expect(largest).toBeLessThan(1e-3);
      });
      wasmOutput.dispose();
    } finally {
      model.dispose();
      await useBackend('cpu');
    }
  });
});
