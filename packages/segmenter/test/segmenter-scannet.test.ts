/**
 * The segmenter on a real ScanNet room (VoteNet preprocessing, 50,000 points) from ../shared/data, on wasm.
 * The model is untrained, so this checks geometry handling at real scale (snapping, voxel downsampling,
 * labels mapped back, caching, leaks), not accuracy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVotenetDataset } from '@pointclick/datasets/node';
import type { LabeledScene } from '@pointclick/datasets';
import { Segmenter, type Click } from '../src/index.js';
import { createTestModel, findVotenetScene, useWasmBackend, VOXEL_LEVEL } from './segmenter-fixtures.js';

const { votenetDirectory, available } = findVotenetScene('scene0000_00', 'segmenter ScanNet tests');

describe.skipIf(!available)('Segmenter on a real ScanNet room (scene0000_00)', () => {
  let scene: LabeledScene;
  let segmenter: Segmenter;
  let tensorsBefore: number;

  beforeAll(async () => {
    await useWasmBackend();
    for await (const entry of readVotenetDataset(votenetDirectory, { sceneIds: ['scene0000_00'] })) scene = entry;
    tensorsBefore = tf.memory().numTensors;
    // The voxel path: these tests check voxelisation and label transfer; superpoints have their own tests.
    segmenter = new Segmenter(createTestModel(7), VOXEL_LEVEL);
  });

  afterAll(() => {
    segmenter?.dispose();
    if (available) expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  /** The point of annotated instance `instanceId` nearest to its centroid, as a position click. */
  function clickOnInstance(instanceId: number, objectId: number): Click {
    const { positions, instance } = scene.cloud;
    const centroid = [0, 0, 0];
    let count = 0;
    for (let point = 0; point < instance.length; point++) {
      if (instance[point] !== instanceId) continue;
      for (let axis = 0; axis < 3; axis++) centroid[axis] += positions[point * 3 + axis];
      count++;
    }
    let best = -1;
    let bestDistance = Infinity;
    for (let point = 0; point < instance.length; point++) {
      if (instance[point] !== instanceId) continue;
      const distance = Math.hypot(...[0, 1, 2].map((axis) => positions[point * 3 + axis] - centroid[axis] / count));
      if (distance < bestDistance) [best, bestDistance] = [point, distance];
    }
    return { position: [positions[best * 3], positions[best * 3 + 1], positions[best * 3 + 2]], objectId, kind: 'object' };
  }

  it('segments the room: labels for all 50,000 points, shared within each voxel, backbone once', () => {
    expect(scene.cloud.pointCount).toBe(50_000);
    const instanceIds = [...new Set(scene.cloud.instance)].filter((id) => id !== 0).slice(0, 3);
    expect(instanceIds).toHaveLength(3);
    segmenter.setScene(scene.cloud);
    const clicks = instanceIds.map((id, index) => clickOnInstance(id, index + 1));
    const first = segmenter.segment(clicks);
    expect(first.backboneMilliseconds).toBeGreaterThan(0);
    expect(first.instance).toHaveLength(50_000);
    for (const label of first.instance) expect(label >= 0 && label <= 3).toBe(true);
    expect(first.objects.map((entry) => entry.objectId)).toEqual([1, 2, 3]);

    // The voxelisation the segmenter used (JS only, no network): every voxel's points share one label.
    const { inputToFinest, levels } = segmenter.model.backbone.buildHierarchy({ positions: scene.cloud.positions, colors: scene.cloud.colors });
    expect(levels[0].voxelCount).toBeLessThan(50_000);
    const labelOfVoxel = new Int32Array(levels[0].voxelCount).fill(-1);
    for (let point = 0; point < 50_000; point++) {
      const voxel = inputToFinest[point];
      if (labelOfVoxel[voxel] === -1) labelOfVoxel[voxel] = first.instance[point];
      else expect(first.instance[point]).toBe(labelOfVoxel[voxel]);
    }

    const cached = tf.memory().numTensors;
    const second = segmenter.segment([...clicks, { ...clickOnInstance(instanceIds[0], 9), kind: 'background' }]);
    expect(second.backboneMilliseconds).toBe(0);
    expect(tf.memory().numTensors).toBe(cached);
  });

  it('rejects a click 1 m above the room', () => {
    segmenter.setScene(scene.cloud);
    const { positions } = scene.cloud;
    let top = 0;
    for (let point = 0; point < scene.cloud.pointCount; point++) if (positions[point * 3 + 2] > positions[top * 3 + 2]) top = point;
    const above: [number, number, number] = [positions[top * 3], positions[top * 3 + 1], positions[top * 3 + 2] + 1];
    expect(() => segmenter.segment([{ position: above, objectId: 1, kind: 'object' }])).toThrow(/is 1\.000 m from the nearest point; the tolerance is 0\.1 m/);
  });
});
