import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackboneInput, BackboneOutput } from '@pointclick/ptv3';
import { Segmenter } from '../src/index.js';
import { applyRotationEnsemble, rotateQuarterTurns } from '../src/feature-ensemble.js';
import { createTestModel, makeRoomCloud, useCpuBackend } from './segmenter-fixtures.js';

beforeAll(async () => {
  await useCpuBackend();
});

describe('rotateQuarterTurns', () => {
  it('turns about the vertical axis by exact quarter turns and keeps z', () => {
    const positions = new Float32Array([1.5, -2.25, 3, 0.1, 0.2, -0.3]);
    expect(Array.from(rotateQuarterTurns(positions, 1).subarray(0, 3))).toEqual([2.25, 1.5, 3]);
    expect(Array.from(rotateQuarterTurns(positions, 2).subarray(0, 3))).toEqual([-1.5, 2.25, 3]);
    expect(Array.from(rotateQuarterTurns(positions, 3).subarray(0, 3))).toEqual([-2.25, -1.5, 3]);
    // Four turns, or one turn four times, give the input back bit for bit.
    let turned: Float32Array = positions;
    for (let turn = 0; turn < 4; turn++) turned = rotateQuarterTurns(turned, 1);
    expect(Array.from(turned)).toEqual(Array.from(positions));
    expect(Array.from(rotateQuarterTurns(positions, 4))).toEqual(Array.from(positions));
  });
});

describe('applyRotationEnsemble', () => {
  const cloud = makeRoomCloud(1500, 23);
  const input: BackboneInput = { positions: cloud.positions, colors: cloud.colors };

  /** Each level's features as rows, and for every input point its voxel at that level. */
  function read(output: BackboneOutput): Array<{ rows: Float32Array; channels: number; pointVoxel: Int32Array }> {
    return output.levels.map((level) => ({
      rows: level.features.dataSync() as Float32Array,
      channels: level.features.shape[1],
      pointVoxel: Int32Array.from(output.inputToFinest, (finest) => level.finestToLevel[finest]),
    }));
  }

  it('averages every level over the copies through the input points, on the first copy geometry', () => {
    const model = createTestModel(5);
    model.setTraining(false);
    const apply = (given: BackboneInput) => model.backbone.apply(given);
    const plain = apply(input);
    const turned = apply({ ...input, positions: rotateQuarterTurns(input.positions, 2) });
    const expected = read(plain).map((level, index) => {
      const other = read(turned)[index];
      const sums = new Float64Array(level.rows.length);
      const counts = new Float64Array(level.rows.length / level.channels);
      level.pointVoxel.forEach((voxel, point) => {
        counts[voxel]++;
        for (let channel = 0; channel < level.channels; channel++) sums[voxel * level.channels + channel] += other.rows[other.pointVoxel[point] * level.channels + channel];
      });
      return Float32Array.from(level.rows, (value, offset) => (value + sums[offset] / counts[Math.floor(offset / level.channels)]) / 2);
    });
    const tensorsBefore = tf.memory().numTensors;
    const ensemble = applyRotationEnsemble(apply, input, 2);
    // The copies' own tensors are freed; the ensemble holds one feature tensor per level, as one pass does.
    expect(tf.memory().numTensors).toBe(tensorsBefore + plain.levels.length);
    expect(ensemble.inputToFinest).toEqual(plain.inputToFinest);
    ensemble.levels.forEach((level, index) => {
      expect(level.coordinates).toEqual(plain.levels[index].coordinates);
      expect(level.finestToLevel).toEqual(plain.levels[index].finestToLevel);
      expect(level.features.shape).toEqual(plain.levels[index].features.shape);
      const values = level.features.dataSync() as Float32Array;
      let largest = 0;
      values.forEach((value, offset) => (largest = Math.max(largest, Math.abs(value - expected[index][offset]))));
      expect(largest).toBeLessThan(1e-5);
    });
    // Turning the scene changes the features (patch boundaries move), so the average differs from one pass.
    const finest = ensemble.levels.length - 1;
    const moved = (ensemble.levels[finest].features.dataSync() as Float32Array).some((value, offset) => Math.abs(value - read(plain)[finest].rows[offset]) > 1e-4);
    expect(moved).toBe(true);
    ensemble.dispose();
    plain.dispose();
    turned.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore - 2 * plain.levels.length);
    model.dispose();
  });

  it('refuses other numbers of rotations, and frees the first copy when a later one fails', () => {
    const model = createTestModel(5);
    expect(() => applyRotationEnsemble((given) => model.backbone.apply(given), input, 3)).toThrow(/testTimeRotations is 3; expected 1, 2 or 4/);
    const tensorsBefore = tf.memory().numTensors;
    let calls = 0;
    const failing = (given: BackboneInput) => {
      if (calls++ === 1) throw new Error('out of memory');
      return model.backbone.apply(given);
    };
    expect(() => applyRotationEnsemble(failing, input, 2)).toThrow('out of memory');
    expect(calls).toBe(2);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.dispose();
  });

  it('runs the backbone once, and returns its output as it is, for one rotation', () => {
    const model = createTestModel(5);
    let calls = 0;
    const single = model.backbone.apply(input);
    const result = applyRotationEnsemble(() => (calls++, single), input, 1);
    expect(calls).toBe(1);
    expect(result).toBe(single);
    single.dispose();
    model.dispose();
  });
});

describe('Segmenter testTimeRotations', () => {
  const cloud = makeRoomCloud(1500, 23);
  const clicks = [
    { pointIndex: 3, objectId: 1, kind: 'object' as const },
    { pointIndex: 400, objectId: 2, kind: 'object' as const },
  ];

  it('runs the backbone once per rotation at the first click and never again for click updates', () => {
    const segmenter = new Segmenter(createTestModel(5, { testTimeRotations: 4 }));
    const backbone = segmenter.model.backbone;
    const original = backbone.apply.bind(backbone);
    const turns: number[] = [];
    backbone.apply = (given) => {
      turns.push(given.positions[0] === cloud.positions[0] && given.positions[1] === cloud.positions[1] ? 0 : 1);
      return original(given);
    };
    segmenter.setScene(cloud);
    const tensorsBefore = tf.memory().numTensors;
    const first = segmenter.segment(clicks);
    expect(turns).toEqual([0, 1, 1, 1]);
    segmenter.segment(clicks.slice(0, 1));
    expect(turns).toHaveLength(4);
    expect(first.instance).toHaveLength(cloud.pointCount);
    segmenter.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensorsBefore);
  });

  it('gives one pass exactly when the setting is 1 and other masks when it is 2', () => {
    const plain = new Segmenter(createTestModel(5));
    const one = new Segmenter(createTestModel(5, { testTimeRotations: 1 }));
    const two = new Segmenter(createTestModel(5, { testTimeRotations: 2 }));
    const results = [plain, one, two].map((segmenter) => {
      segmenter.setScene(cloud);
      const result = segmenter.segment(clicks);
      segmenter.dispose();
      return result;
    });
    expect(results[1].instance).toEqual(results[0].instance);
    expect(results[1].objects).toEqual(results[0].objects);
    expect(results[2].objects.map((object) => object.score)).not.toEqual(results[0].objects.map((object) => object.score));
  });
});
