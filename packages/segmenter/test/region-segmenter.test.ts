/**
 * RegionSegmenter on two real ScanNet rooms laid side by side (100,000 points), on wasm, with an untrained
 * tiny model: regions hold at most the voxel budget, the labels inside a region are what a plain Segmenter
 * gives on the same crop, labels outside keep their values, regions are cached, and a scene that fits the
 * budget gives the plain Segmenter's labels.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVotenetDataset } from '@pointclick/datasets/node';
import type { PointCloud } from '@pointclick/io';
import { downsampleVoxelGrid } from '@pointclick/sampling';
import { RegionSegmenter, Segmenter, SegmenterInputError, type Click, type SegmentationRegion } from '../src/index.js';
import { createTestModel, useWasmBackend } from './segmenter-fixtures.js';

const dataDirectory = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenetDirectory = join(dataDirectory, 'scannet-votenet');
const available = existsSync(join(votenetDirectory, 'scene0001_00_vert.npy'));
if (!available) console.warn(`region segmenter tests skipped: ${votenetDirectory}/scene0001_00_vert.npy not found (set POINTCLICK_SHARED_DATA)`);

/** Room width along x plus a 2 m gap: the second copy starts there. */
function tileTwice(cloud: PointCloud & { colors: Uint8Array }): PointCloud & { colors: Uint8Array; secondStart: number } {
  let minimumX = Infinity;
  let maximumX = -Infinity;
  for (let point = 0; point < cloud.pointCount; point++) {
    minimumX = Math.min(minimumX, cloud.positions[point * 3]);
    maximumX = Math.max(maximumX, cloud.positions[point * 3]);
  }
  const shift = maximumX - minimumX + 2;
  const positions = new Float32Array(cloud.pointCount * 6);
  positions.set(cloud.positions);
  positions.set(cloud.positions, cloud.pointCount * 3);
  for (let point = cloud.pointCount; point < cloud.pointCount * 2; point++) positions[point * 3] += shift;
  const colors = new Uint8Array(cloud.pointCount * 6);
  colors.set(cloud.colors);
  colors.set(cloud.colors, cloud.pointCount * 3);
  return { pointCount: cloud.pointCount * 2, positions, colors, secondStart: cloud.pointCount };
}

/** Scene grid cells of every point, with the grid's origin (the scene's minimum corner, as RegionSegmenter uses). */
function sceneCells(cloud: PointCloud, voxelSize: number): { cellOf: (point: number, axis: number) => number; origin: number[] } {
  const grid = downsampleVoxelGrid(cloud.positions, voxelSize);
  const origin = [0, 1, 2].map((axis) => {
    let minimum = Infinity;
    for (let point = 0; point < cloud.pointCount; point++) minimum = Math.min(minimum, cloud.positions[point * 3 + axis]);
    return minimum;
  });
  return { cellOf: (point, axis) => grid.gridCoordinates[grid.pointToVoxel[point] * 3 + axis], origin };
}

/** Inclusive cell bounds of a region's box: [low, high] per axis. */
function regionCells(region: SegmentationRegion, origin: number[], voxelSize: number): { low: number[]; high: number[] } {
  return {
    low: [0, 1, 2].map((axis) => Math.round((region.minimum[axis] - origin[axis]) / voxelSize)),
    high: [0, 1, 2].map((axis) => Math.round((region.maximum[axis] - origin[axis]) / voxelSize) - 1),
  };
}

function subset(cloud: PointCloud & { colors: Uint8Array }, indices: number[]): PointCloud {
  const positions = new Float32Array(indices.length * 3);
  const colors = new Uint8Array(indices.length * 3);
  indices.forEach((point, local) => {
    positions.set(cloud.positions.subarray(point * 3, point * 3 + 3), local * 3);
    colors.set(cloud.colors.subarray(point * 3, point * 3 + 3), local * 3);
  });
  return { pointCount: indices.length, positions, colors };
}

describe.skipIf(!available)('RegionSegmenter on two ScanNet rooms side by side (scene0001_00 twice)', () => {
  let scene: PointCloud & { colors: Uint8Array; secondStart: number };
  let roomVoxels: number;
  let voxelSize: number;
  let cells: ReturnType<typeof sceneCells>;
  let tensorsBefore: number;

  /** Indices of the scene points whose cell lies in the region's box. */
  function pointsInside(region: SegmentationRegion): number[] {
    const { low, high } = regionCells(region, cells.origin, voxelSize);
    const inside: number[] = [];
    for (let point = 0; point < scene.pointCount; point++) {
      if ([0, 1, 2].every((axis) => cells.cellOf(point, axis) >= low[axis] && cells.cellOf(point, axis) <= high[axis])) inside.push(point);
    }
    return inside;
  }

  beforeAll(async () => {
    await useWasmBackend();
    for await (const entry of readVotenetDataset(votenetDirectory, { sceneIds: ['scene0001_00'] })) {
      scene = tileTwice(entry.cloud as PointCloud & { colors: Uint8Array });
    }
    voxelSize = createTestModel(7).backbone.config.gridSize;
    roomVoxels = downsampleVoxelGrid(scene.positions.subarray(0, scene.secondStart * 3), voxelSize).voxelCount;
    cells = sceneCells(scene, voxelSize);
    tensorsBefore = tf.memory().numTensors;
  });

  afterAll(() => {
    if (available) expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('runs the network on a region within the budget; inside it the labels equal a plain Segmenter on that crop, outside they stay 0', () => {
    const budget = Math.floor(roomVoxels * 0.4);
    const model = createTestModel(7);
    const segmenter = new RegionSegmenter(model, { voxelBudget: budget });
    segmenter.setScene(scene);
    const clicks: Click[] = [
      { pointIndex: 1234, objectId: 1, kind: 'object' },
      { pointIndex: 4321, objectId: 2, kind: 'object' },
    ];
    // The region follows the last click; the first click may fall outside it and is then not seen.
    const result = segmenter.segment(clicks);
    const { region } = result;
    expect(region.voxelCount).toBeLessThanOrEqual(budget);
    expect(region.voxelCount).toBeGreaterThan(budget * 0.5); // grown towards the budget, not a token box
    expect(result.backboneMilliseconds).toBeGreaterThan(0);
    const inside = pointsInside(region);
    expect(inside.length).toBe(region.pointCount);
    expect(inside).toContain(4321);
    const insideSet = new Set(inside);
    for (let point = 0; point < scene.pointCount; point++) if (!insideSet.has(point)) expect(result.instance[point]).toBe(0);

    const plain = new Segmenter(model);
    plain.setScene(subset(scene, inside));
    const localClicks = clicks
      .filter((click) => 'pointIndex' in click && insideSet.has(click.pointIndex))
      .map((click) => ({ ...click, pointIndex: inside.indexOf((click as { pointIndex: number }).pointIndex) }));
    const expected = plain.segment(localClicks);
    inside.forEach((point, local) => expect(result.instance[point]).toBe(expected.instance[local]));
    plain.clearScene();
    segmenter.dispose();
  });

  it('a click in the other room starts a new region, keeps the first labels, and reuses the cached first region', () => {
    const budget = Math.floor(roomVoxels * 0.6);
    const segmenter = new RegionSegmenter(createTestModel(7), { voxelBudget: budget });
    segmenter.setScene(scene);
    // The lowest-y point of the first room and the highest-y point of the second: a box around both holds
    // most of both rooms, more than the budget, so the first region cannot be extended to the second click.
    let lowest = 0;
    let highest = scene.secondStart;
    for (let point = 0; point < scene.secondStart; point++) if (scene.positions[point * 3 + 1] < scene.positions[lowest * 3 + 1]) lowest = point;
    for (let point = scene.secondStart; point < scene.pointCount; point++) if (scene.positions[point * 3 + 1] > scene.positions[highest * 3 + 1]) highest = point;
    const firstClick: Click = { pointIndex: lowest, objectId: 1, kind: 'object' };
    const first = segmenter.segment([firstClick]);
    const firstLabelled = first.instance.reduce((count, label) => count + (label === 1 ? 1 : 0), 0);
    expect(firstLabelled).toBeGreaterThan(0);

    const secondClick: Click = { pointIndex: highest, objectId: 2, kind: 'object' };
    const second = segmenter.segment([firstClick, secondClick]);
    expect(second.backboneMilliseconds).toBeGreaterThan(0);
    expect(segmenter.regions).toHaveLength(2);
    const secondInside = new Set(pointsInside(second.region));
    expect(secondInside.has(lowest)).toBe(false);
    expect(secondInside.has(highest)).toBe(true);
    for (let point = 0; point < scene.pointCount; point++) {
      if (!secondInside.has(point)) expect(second.instance[point]).toBe(first.instance[point]);
    }
    expect(second.objects.map((object) => object.objectId)).toEqual([1, 2]);
    expect(second.objects[0].pointCount).toBe(second.instance.reduce((count, label) => count + (label === 1 ? 1 : 0), 0));

    // Back in the first room: the cached region, decoder only.
    const third = segmenter.segment([firstClick, secondClick, { pointIndex: lowest + 1, objectId: 1, kind: 'object' }]);
    expect(third.backboneMilliseconds).toBe(0);
    expect(third.region.minimum).toEqual(first.region.minimum);

    // Undo every click of object 2: its points are freed everywhere.
    const undone = segmenter.segment([firstClick]);
    expect(undone.instance.includes(2)).toBe(false);
    expect(undone.objects.map((object) => object.objectId)).toEqual([1]);
    segmenter.dispose();
  });

  it('names the objects whose mask reaches an open face of the region', () => {
    const segmenter = new RegionSegmenter(createTestModel(7), { voxelBudget: Math.floor(roomVoxels * 0.15) });
    segmenter.setScene(scene);
    const clicks: Click[] = [1, 2, 3].map((objectId) => ({ pointIndex: 7000 * objectId, objectId, kind: 'object' }));
    const result = segmenter.segment(clicks);
    const { region } = result;
    const { low, high } = regionCells(region, cells.origin, voxelSize);
    const reaching = new Set<number>();
    for (const point of pointsInside(region)) {
      const label = result.instance[point];
      if (label === 0) continue;
      for (let axis = 0; axis < 3; axis++) {
        if (region.openFaces[axis * 2] && cells.cellOf(point, axis) === low[axis]) reaching.add(label);
        if (region.openFaces[axis * 2 + 1] && cells.cellOf(point, axis) === high[axis]) reaching.add(label);
      }
    }
    expect(region.openFaces.some(Boolean)).toBe(true);
    expect(result.objectsAtBorder).toEqual([...reaching].sort((a, b) => a - b));
    segmenter.dispose();
  });

  it('a scene within the budget gives exactly the plain Segmenter labels', () => {
    const model = createTestModel(7);
    const room = subset(scene, Array.from({ length: scene.secondStart }, (_, point) => point));
    const region = new RegionSegmenter(model, { voxelBudget: roomVoxels });
    region.setScene(room);
    const plain = new Segmenter(model);
    plain.setScene(room);
    const position = Array.from(room.positions.subarray(9000 * 3, 9000 * 3 + 3)) as [number, number, number];
    const clicks: Click[] = [
      { pointIndex: 100, objectId: 1, kind: 'object' },
      { position, objectId: 2, kind: 'object' },
      { pointIndex: 30000, objectId: 1, kind: 'background' },
    ];
    const regional = region.segment(clicks);
    expect(regional.region.openFaces.some(Boolean)).toBe(false);
    expect(regional.objectsAtBorder).toEqual([]);
    expect(Array.from(regional.instance)).toEqual(Array.from(plain.segment(clicks).instance));
    plain.clearScene();
    region.dispose();
  });

  it('hand corrections are the final word inside and outside the region', () => {
    const segmenter = new RegionSegmenter(createTestModel(7), { voxelBudget: Math.floor(roomVoxels * 0.4) });
    segmenter.setScene(scene);
    const clicks: Click[] = [{ pointIndex: 1234, objectId: 1, kind: 'object' }];
    const first = segmenter.segment(clicks);
    const inside = new Set(pointsInside(first.region));
    const paintedOutside = [scene.secondStart + 10, scene.secondStart + 11, scene.secondStart + 12];
    const labelledInside = [...inside].filter((point) => first.instance[point] === 1).slice(0, 5);
    expect(labelledInside.length).toBeGreaterThan(0);
    const result = segmenter.segment(clicks, { include: { 1: paintedOutside }, exclude: new Map([[1, labelledInside]]) });
    for (const point of paintedOutside) expect(result.instance[point]).toBe(1);
    for (const point of labelledInside) expect(result.instance[point]).toBe(0);
    expect(result.objects.find((object) => object.objectId === 1)?.pointCount).toBe(result.instance.reduce((count, label) => count + (label === 1 ? 1 : 0), 0));
    expect(() => segmenter.segment(clicks, { include: { 1: [scene.pointCount] } })).toThrow(/constraints\.include\[1\]\[0\]/);
    segmenter.dispose();
  });

  it('copyLabels false hands out the same labels without a copy, and each call\'s changes turn the previous labels into the new ones', () => {
    const model = createTestModel(7);
    const budget = Math.floor(roomVoxels * 0.4);
    const copying = new RegionSegmenter(model, { voxelBudget: budget });
    const sharing = new RegionSegmenter(model, { voxelBudget: budget, copyLabels: false });
    copying.setScene(scene);
    sharing.setScene(scene);
    const first: Click = { pointIndex: 1234, objectId: 1, kind: 'object' };
    const histories: Click[][] = [[first], [first, { pointIndex: 1240, objectId: 2, kind: 'object' }], [first], [first, { pointIndex: scene.secondStart + 500, objectId: 3, kind: 'object' }]];
    const mirrored = new Int32Array(scene.pointCount);
    let previousShared: Int32Array | undefined;
    for (const clicks of histories) {
      const copied = copying.segment(clicks);
      const shared = sharing.segment(clicks);
      expect(Array.from(shared.instance)).toEqual(Array.from(copied.instance));
      if (previousShared) expect(shared.instance).toBe(previousShared);
      previousShared = shared.instance;
      expect(copied.changes.pointIndices.length).toBeGreaterThan(0);
      for (let slot = 0; slot < shared.changes.pointIndices.length; slot++) mirrored[shared.changes.pointIndices[slot]] = shared.changes.labels[slot];
      expect(Array.from(mirrored)).toEqual(Array.from(copied.instance));
      expect(new Set(shared.changes.pointIndices).size).toBe(shared.changes.pointIndices.length);
    }
    copying.clearScene();
    sharing.dispose();
  });

  it('undoing an object frees its points in every region and its hand-included points outside them', () => {
    const segmenter = new RegionSegmenter(createTestModel(7), { voxelBudget: Math.floor(roomVoxels * 0.4) });
    segmenter.setScene(scene);
    const first: Click = { pointIndex: 1234, objectId: 1, kind: 'object' };
    const second: Click = { pointIndex: 1240, objectId: 2, kind: 'object' };
    const paintedOutside = [scene.secondStart + 20, scene.secondStart + 21];
    const both = segmenter.segment([first, second], { include: { 2: paintedOutside } });
    const count = (instance: Int32Array, objectId: number) => instance.reduce((total, label) => total + (label === objectId ? 1 : 0), 0);
    expect(count(both.instance, 2)).toBeGreaterThan(paintedOutside.length);
    // Object 2 undone (no click, no painted set names it): none of its points keep the label, object 1's stay.
    const undone = segmenter.segment([first]);
    expect(count(undone.instance, 2)).toBe(0);
    for (const point of paintedOutside) expect(undone.instance[point]).toBe(0);
    expect(undone.objects.map((object) => object.objectId)).toEqual([1]);
    expect(undone.objects[0].pointCount).toBe(count(undone.instance, 1));
    segmenter.dispose();
  });

  it('builds the scene grid once: buildSceneGrid counts what countVoxels counts and setScene takes it as is', () => {
    const model = createTestModel(7);
    const grid = RegionSegmenter.buildSceneGrid(model, scene);
    expect(grid.voxelCount).toBe(RegionSegmenter.countVoxels(model, scene.positions));
    expect(grid.pointToVoxel).toHaveLength(scene.pointCount);
    const budget = Math.floor(roomVoxels * 0.4);
    const fromGrid = new RegionSegmenter(model, { voxelBudget: budget });
    fromGrid.setScene(grid);
    const fromCloud = new RegionSegmenter(model, { voxelBudget: budget });
    fromCloud.setScene(scene);
    const clicks: Click[] = [{ pointIndex: 4321, objectId: 1, kind: 'object' }];
    const expected = fromCloud.segment(clicks);
    const actual = fromGrid.segment(clicks);
    expect(actual.region).toEqual(expected.region);
    expect(Buffer.from(actual.instance.buffer).equals(Buffer.from(expected.instance.buffer))).toBe(true);
    expect(actual.instance.some((label) => label === 1)).toBe(true);
    expect(() => fromGrid.setScene({ ...grid, voxelSize: grid.voxelSize * 2 })).toThrow(/grid was built at/);
    fromGrid.clearScene();
    fromCloud.clearScene();
    model.dispose();
  });

  it('refuses bad settings and calls with typed errors', () => {
    const model = createTestModel(7);
    expect(() => new RegionSegmenter(model, { voxelBudget: 0 })).toThrow(SegmenterInputError);
    expect(() => new RegionSegmenter(model, { cachedRegionCount: 1.5 })).toThrow(/cachedRegionCount/);
    const segmenter = new RegionSegmenter(model);
    expect(() => segmenter.segment([{ pointIndex: 0, objectId: 1, kind: 'object' }])).toThrow(/before setScene/);
    segmenter.setScene(scene);
    expect(() => segmenter.segment([])).toThrow(/at least one click/);
    expect(() => segmenter.segment([{ pointIndex: scene.pointCount, objectId: 1, kind: 'object' }])).toThrow(/outside the scene/);
    segmenter.dispose();
  });
});
