/**
 * Hand corrections (`segment(clicks, { include, exclude })`) with the trained default model (models/default) on a
 * real ScanNet room (scene0000_00, 50,000 points) from ../shared/data, on wasm: painted points stay in their
 * object and erased points stay out whatever later clicks do, the model's mask follows the painted points, no
 * constraints gives the clicks' own result, and no tensor leaks.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVotenetDataset } from '@pointclick/datasets/node';
import type { LabeledScene } from '@pointclick/datasets';
import { CONSTRAINT_CLICKS_PER_SET, SegmenterInputError, type Click, type Segmenter } from '../src/index.js';
import { loadSegmenter } from '../src/node/index.js';
import { resolveConstraints } from '../src/point-constraints.js';
import { useWasmBackend } from './segmenter-fixtures.js';

const dataDirectory = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenetDirectory = join(dataDirectory, 'scannet-votenet');
const modelDirectory = fileURLToPath(new URL('../../../models/default', import.meta.url));
const hasData = existsSync(join(votenetDirectory, 'scene0000_00_vert.npy'));
const hasModel = existsSync(join(modelDirectory, 'model.json'));
if (!hasData) console.warn(`segmenter constraint tests skipped: ${votenetDirectory}/scene0000_00_vert.npy not found (set POINTCLICK_SHARED_DATA)`);
if (!hasModel) console.warn(`segmenter constraint tests skipped: ${modelDirectory}/model.json not found`);

/** NYU40 ids of structure (wall, floor, ceiling), never used as targets. */
const STRUCTURE_CLASSES = new Set([0, 1, 2, 22]);

describe('resolveConstraints (sampled clicks)', () => {
  // Ten points on a line, 1 m apart, and one far point.
  const positions = new Float32Array(11 * 3);
  for (let point = 0; point < 10; point++) positions[point * 3] = point;
  positions.set([100, 0, 0], 30);

  it('samples farthest points of every set, from its central point, painted sets as object clicks and erased sets as background', () => {
    const resolved = resolveConstraints({ include: { 2: [0, 1, 2, 3, 4, 4, 3] }, exclude: new Map([[2, [6, 7, 8, 9]]]) }, positions, 100);
    expect([...resolved.include.get(2)!]).toEqual([0, 1, 2, 3, 4]);
    // Centroid of 0…4 is 2; then the farthest (0, lowest first), then the farthest from both (4).
    expect(resolved.clicks).toEqual([
      { pointIndex: 2, objectId: 2, kind: 'object' },
      { pointIndex: 0, objectId: 2, kind: 'object' },
      { pointIndex: 4, objectId: 2, kind: 'object' },
      { pointIndex: 7, objectId: 2, kind: 'background' },
      { pointIndex: 9, objectId: 2, kind: 'background' },
      { pointIndex: 6, objectId: 2, kind: 'background' },
    ]);
    expect(CONSTRAINT_CLICKS_PER_SET).toBe(3);
  });

  it('takes fewer clicks per set when the click budget is short, and refuses when it cannot give each set one', () => {
    expect(resolveConstraints({ include: { 1: [0, 1, 2], 2: [5, 6, 7] } }, positions, 4).clicks).toHaveLength(4);
    expect(() => resolveConstraints({ include: { 1: [0], 2: [5] }, exclude: { 3: [9] } }, positions, 2)).toThrow(/3 point sets.*only 2 clicks/);
  });

  it('names the bad entry: an index outside the scene, a bad key, a point painted into two objects or painted and erased', () => {
    expect(() => resolveConstraints({ include: { 1: [0, 11] } }, positions, 10)).toThrow(SegmenterInputError);
    expect(() => resolveConstraints({ include: { 1: [0, 11] } }, positions, 10)).toThrow('constraints.include[1][1] is 11; point indices must be integers in 0…10');
    expect(() => resolveConstraints({ exclude: { 1: [0.5] } }, positions, 10)).toThrow('constraints.exclude[1][0] is 0.5');
    expect(() => resolveConstraints({ include: { 0: [1] } }, positions, 10)).toThrow('constraints.include has the key 0');
    expect(() => resolveConstraints({ include: { 1: [3], 2: [3] } }, positions, 10)).toThrow('point 3 is in constraints.include[1] and constraints.include[2]');
    expect(() => resolveConstraints({ include: { 1: [3] }, exclude: { 1: [3] } }, positions, 10)).toThrow('point 3 is in both constraints.include[1] and constraints.exclude[1]');
    expect(() => resolveConstraints({ include: { 1: [3] }, clicksPerSet: 0 }, positions, 10)).toThrow('clicksPerSet must be an integer ≥ 1');
  });
});

describe.skipIf(!hasData || !hasModel)('Segmenter constraints with models/default on a real ScanNet room (scene0000_00)', () => {
  let scene: LabeledScene;
  let segmenter: Segmenter;
  let tensorsBefore: number;
  /** Four furniture instances, largest first. */
  let targets: number[];

  beforeAll(async () => {
    await useWasmBackend();
    for await (const entry of readVotenetDataset(votenetDirectory, { sceneIds: ['scene0000_00'] })) scene = entry;
    tensorsBefore = tf.memory().numTensors;
    segmenter = await loadSegmenter(modelDirectory);
    segmenter.setScene(scene.cloud);
    const counts = new Map<number, number>();
    scene.cloud.instance.forEach((instanceId, point) => {
      if (instanceId > 0 && !STRUCTURE_CLASSES.has(scene.cloud.semantic[point])) counts.set(instanceId, (counts.get(instanceId) ?? 0) + 1);
    });
    targets = [...counts.entries()].sort((left, right) => right[1] - left[1]).slice(0, 4).map(([instanceId]) => instanceId);
  }, 120_000);

  afterAll(() => {
    segmenter?.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  /** Points of ground-truth instance `instanceId`, nearest to its centroid first. */
  function pointsOf(instanceId: number): number[] {
    const { positions, instance } = scene.cloud;
    const members = [...instance.keys()].filter((point) => instance[point] === instanceId);
    const centroid = [0, 1, 2].map((axis) => members.reduce((sum, point) => sum + positions[point * 3 + axis], 0) / members.length);
    const distance = (point: number) => Math.hypot(...[0, 1, 2].map((axis) => positions[point * 3 + axis] - centroid[axis]));
    return members.sort((left, right) => distance(left) - distance(right));
  }

  const click = (pointIndex: number, objectId: number, kind: Click['kind'] = 'object'): Click => ({ pointIndex, objectId, kind });

  it('painted points stay in their object through 3 more clicks elsewhere (one of them a background click on them), and the mask follows them', () => {
    const painted = pointsOf(targets[1]).slice(0, 150);
    const clicks = [click(pointsOf(targets[0])[0], 1)];
    const constraints = { include: { 1: painted } };
    // The first run computes the scene's cached backbone features; counted from here on.
    const alone = segmenter.segment(clicks);
    const tensors = tf.memory().numTensors;
    const first = segmenter.segment(clicks, constraints);
    for (const point of painted) expect(first.instance[point]).toBe(1);
    // The sampled clicks move the model's own mask: more of the painted instance joins object 1 than was painted.
    const instanceB = pointsOf(targets[1]);
    const inObject = (instance: Int32Array) => instanceB.filter((point) => instance[point] === 1).length;
    expect(inObject(first.instance)).toBeGreaterThan(painted.length);
    expect(inObject(first.instance)).toBeGreaterThan(inObject(alone.instance));

    const more = [click(pointsOf(targets[2])[0], 2), click(painted[10], 1, 'background'), click(painted[20], 3)];
    for (let count = 1; count <= 3; count++) {
      const { instance, objects } = segmenter.segment([...clicks, ...more.slice(0, count)], constraints);
      const moved = painted.filter((point) => instance[point] !== 1);
      expect(moved, `painted points out of object 1 after ${count} more clicks`).toEqual([]);
      expect(objects.find((object) => object.objectId === 1)!.pointCount).toBe(instance.filter((value) => value === 1).length);
    }
    expect(tf.memory().numTensors).toBe(tensors);
  }, 120_000);

  it('erased points stay out of their object through 3 more clicks, two of them object clicks on erased points', async () => {
    const tensors = tf.memory().numTensors;
    const seed = pointsOf(targets[0])[0];
    const clicks = [click(seed, 1)];
    const before = segmenter.segment(clicks).instance;
    const { positions } = scene.cloud;
    const mask = [...before.keys()].filter((point) => before[point] === 1);
    expect(mask.length).toBeGreaterThan(100);
    // Erase the 40 % of the mask farthest from the click.
    const distance = (point: number) => Math.hypot(...[0, 1, 2].map((axis) => positions[point * 3 + axis] - positions[seed * 3 + axis]));
    const erased = mask.sort((left, right) => distance(right) - distance(left)).slice(0, Math.floor(mask.length * 0.4));
    const constraints = { exclude: new Map([[1, erased]]) };
    const more = [click(erased[0], 1), click(pointsOf(targets[2])[0], 2), click(erased[erased.length - 1], 1)];
    for (let count = 0; count <= 3; count++) {
      const { instance } = await segmenter.segmentAsync([...clicks, ...more.slice(0, count)], constraints);
      expect(erased.filter((point) => instance[point] === 1), `erased points in object 1 after ${count} more clicks`).toEqual([]);
      // The unerased part of the mask is still the object's.
      expect(instance[seed]).toBe(1);
    }
    expect(tf.memory().numTensors).toBe(tensors);
  }, 120_000);

  it('no constraints, or empty ones, give exactly the clicks-only result', () => {
    const clicks = [click(pointsOf(targets[0])[0], 1), click(pointsOf(targets[3])[0], 2), click(pointsOf(targets[2])[5], 1, 'background')];
    const strip = ({ instance, objects }: { instance: Int32Array; objects: unknown }) => ({ instance: [...instance], objects });
    const reference = strip(segmenter.segment(clicks));
    expect(reference.instance.some((value) => value === 2)).toBe(true);
    expect(strip(segmenter.segment(clicks, {}))).toEqual(reference);
    expect(strip(segmenter.segment(clicks, { include: {}, exclude: new Map() }))).toEqual(reference);
    expect(strip(segmenter.segment(clicks, { include: { 1: [] }, exclude: { 2: [] } }))).toEqual(reference);
  }, 120_000);

  it('an object painted without clicks is listed, with exactly its painted points at least', () => {
    const painted = pointsOf(targets[3]).slice(0, 80);
    const { instance, objects } = segmenter.segment([click(pointsOf(targets[0])[0], 1)], { include: new Map([[4, painted]]) });
    for (const point of painted) expect(instance[point]).toBe(4);
    const object = objects.find((entry) => entry.objectId === 4);
    expect(object?.pointCount).toBeGreaterThanOrEqual(painted.length);
  }, 120_000);
});
