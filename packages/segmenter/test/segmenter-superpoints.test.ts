/**
 * Superpoint click constraints and pooling in the Segmenter, on a real ScanNet room (50,000 points) from
 * ../shared/data, on wasm, with an untrained tiny model: the rules must hold whatever the model says.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabeledScene } from '@pointclick/datasets';
import { computeSuperpoints } from '@pointclick/sampling';
import { assignClickGroups, Segmenter, SegmenterInputError, type Click } from '../src/index.js';
import { createRandom, createTestModel, findVotenetScene, readRoomWithSuperpoints, VOXEL_LEVEL } from './segmenter-fixtures.js';

const { votenetDirectory, available } = findVotenetScene('scene0001_00', 'segmenter superpoint tests');

describe.skipIf(!available)('Segmenter superpoints on a real ScanNet room (scene0001_00)', () => {
  let scene: LabeledScene;
  let superpoints: { labels: Int32Array; count: number };
  let tensorsBefore: number;

  beforeAll(async () => {
    ({ scene, superpoints } = await readRoomWithSuperpoints(votenetDirectory, 'scene0001_00'));
    tensorsBefore = tf.memory().numTensors;
  });

  afterAll(() => {
    if (available) expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  /** 1–8 clicks at random points with random objectIds 1–4, a quarter of them background. */
  function randomClicks(random: () => number): Click[] {
    const count = 1 + Math.floor(random() * 8);
    return Array.from({ length: count }, () => ({
      pointIndex: Math.floor(random() * scene.cloud.pointCount),
      objectId: 1 + Math.floor(random() * 4),
      kind: random() < 0.25 ? ('background' as const) : ('object' as const),
    }));
  }

  const labelOf = (click: Click) => (click.kind === 'background' ? 0 : click.objectId);
  const pointOf = (click: Click) => ('pointIndex' in click ? click.pointIndex : -1);

  it('a click always takes its own superpoint (40 random click sets, model untrained)', () => {
    const segmenter = new Segmenter(createTestModel(7));
    segmenter.setScene(scene.cloud);
    const random = createRandom(2024);
    const labels = computeSuperpoints(scene.cloud.positions, { colors: scene.cloud.colors }).labels;
    let checkedWhole = 0;
    for (let round = 0; round < 40; round++) {
      const clicks = randomClicks(random);
      const { instance } = segmenter.segment(clicks);
      clicks.forEach((click) => {
        const superpoint = labels[pointOf(click)];
        const rivals = clicks.filter((other) => labels[pointOf(other)] === superpoint && labelOf(other) !== labelOf(click));
        if (rivals.length === 0) {
          // No conflict: the whole superpoint carries the click's label.
          for (let point = 0; point < instance.length; point++) if (labels[point] === superpoint) expect(instance[point]).toBe(labelOf(click));
          checkedWhole++;
        } else if (!rivals.some((other) => pointOf(other) === pointOf(click))) {
          expect(instance[pointOf(click)]).toBe(labelOf(click));
        }
      });
    }
    expect(checkedWhole).toBeGreaterThan(40);
    segmenter.dispose();
  });

  it('pooling gives every superpoint one label (constraints off)', () => {
    const segmenter = new Segmenter(createTestModel(7), { superpoints: { clickConstraints: false, pooling: true } });
    segmenter.setScene(scene.cloud, { superpoints });
    const random = createRandom(99);
    let labelled = 0;
    for (let round = 0; round < 5; round++) {
      const { instance } = segmenter.segment(randomClicks(random));
      const labelOfSuperpoint = new Int32Array(superpoints.count).fill(-1);
      for (let point = 0; point < instance.length; point++) {
        const superpoint = superpoints.labels[point];
        if (labelOfSuperpoint[superpoint] < 0) labelOfSuperpoint[superpoint] = instance[point];
        expect(instance[point]).toBe(labelOfSuperpoint[superpoint]);
        if (instance[point] > 0) labelled++;
      }
    }
    // Not a vacuous check: some points were given to objects.
    expect(labelled).toBeGreaterThan(0);
    segmenter.dispose();
  });

  it('voxelLogitWeight 0 is plain pooling exactly; 1 is the voxel path; between, a superpoint may be split', () => {
    const clicks = randomClicks(createRandom(11));
    const run = (settings: { pooling: boolean; voxelLogitWeight?: number; voxelLogitClicks?: number }) => {
      const segmenter = new Segmenter(createTestModel(7), { superpoints: { clickConstraints: false, ...settings } });
      segmenter.setScene(scene.cloud, { superpoints });
      const { instance } = segmenter.segment(clicks);
      segmenter.dispose();
      return instance;
    };
    const pooled = run({ pooling: true });
    expect(Array.from(run({ pooling: true, voxelLogitWeight: 0 }))).toEqual(Array.from(pooled));
    const voxels = run({ pooling: false });
    expect(Array.from(run({ pooling: true, voxelLogitWeight: 1 }))).toEqual(Array.from(voxels));
    // Not vacuous: pooling changes some labels of this untrained model, and the blend lies between the two.
    const differing = (a: Int32Array, b: Int32Array) => a.reduce((count, label, point) => count + (label !== b[point] ? 1 : 0), 0);
    expect(differing(pooled, voxels)).toBeGreaterThan(0);
    const blended = run({ pooling: true, voxelLogitWeight: 0.5 });
    for (let point = 0; point < blended.length; point++) if (pooled[point] === voxels[point]) expect(blended[point]).toBe(pooled[point]);
    // Gated by clicks per label: a threshold above every label's count is plain pooling, one of 1 the same as no gate.
    expect(Array.from(run({ pooling: true, voxelLogitWeight: 0.5, voxelLogitClicks: clicks.length + 1 }))).toEqual(Array.from(pooled));
    expect(Array.from(run({ pooling: true, voxelLogitWeight: 0.5, voxelLogitClicks: 1 }))).toEqual(Array.from(blended));
  });

  it('smoothing: 0 is plain pooling exactly; above 0 it keeps one label per superpoint and every click its own superpoint', () => {
    const random = createRandom(31);
    const clickSets = Array.from({ length: 4 }, () => randomClicks(random));
    const run = (smoothing: number | undefined) => {
      const segmenter = new Segmenter(createTestModel(7), { superpoints: { clickConstraints: true, pooling: true, ...(smoothing === undefined ? {} : { smoothing }) } });
      segmenter.setScene(scene.cloud, { superpoints });
      const results = clickSets.map((clicks) => segmenter.segment(clicks).instance);
      segmenter.dispose();
      return results;
    };
    const plain = run(undefined);
    run(0).forEach((instance, index) => expect(Array.from(instance)).toEqual(Array.from(plain[index])));
    const smoothed = run(4);
    let changed = 0;
    smoothed.forEach((instance, index) => {
      const labelOfSuperpoint = new Int32Array(superpoints.count).fill(-1);
      const clicks = clickSets[index];
      const clickedSuperpoints = new Set(clicks.map((click) => superpoints.labels[pointOf(click)]));
      for (let point = 0; point < instance.length; point++) {
        const superpoint = superpoints.labels[point];
        if (instance[point] !== plain[index][point]) changed++;
        if (clickedSuperpoints.has(superpoint)) continue; // mixed clicked superpoints split by the nearer click
        if (labelOfSuperpoint[superpoint] < 0) labelOfSuperpoint[superpoint] = instance[point];
        expect(instance[point]).toBe(labelOfSuperpoint[superpoint]);
      }
      for (const click of clicks) {
        const rivals = clicks.filter((other) => superpoints.labels[pointOf(other)] === superpoints.labels[pointOf(click)] && labelOf(other) !== labelOf(click));
        if (rivals.length === 0) expect(instance[pointOf(click)]).toBe(labelOf(click));
      }
    });
    // Not vacuous: smoothing moved some points of this untrained model's masks.
    expect(changed).toBeGreaterThan(0);
  });

  it('smoothing: segmentAsync (features read without blocking) gives segment\'s labels', async () => {
    const clicks = randomClicks(createRandom(47));
    const results: Int32Array[] = [];
    for (const asynchronous of [false, true]) {
      const segmenter = new Segmenter(createTestModel(7), { superpoints: { clickConstraints: true, pooling: true, smoothing: 4 } });
      segmenter.setScene(scene.cloud, { superpoints });
      results.push(asynchronous ? (await segmenter.segmentAsync(clicks)).instance : segmenter.segment(clicks).instance);
      segmenter.dispose();
    }
    expect(Array.from(results[1])).toEqual(Array.from(results[0]));
  });

  it('refuses a negative or non-finite smoothing, and smoothing with a voxel logit weight', () => {
    const model = createTestModel(7);
    expect(() => new Segmenter(model, { superpoints: { smoothing: -1 } })).toThrow(/smoothing is -1; expected a finite number ≥ 0/);
    expect(() => new Segmenter(model, { superpoints: { smoothing: Number.POSITIVE_INFINITY } })).toThrow(SegmenterInputError);
    expect(() => new Segmenter(model, { superpoints: { smoothing: 2, voxelLogitWeight: 0.5 } })).toThrow(/0 or absent when voxelLogitWeight/);
    model.dispose();
  });

  it('refuses a voxelLogitWeight outside [0, 1]', () => {
    const model = createTestModel(7);
    expect(() => new Segmenter(model, { superpoints: { voxelLogitWeight: 2 } })).toThrow(SegmenterInputError);
    expect(() => new Segmenter(model, { superpoints: { voxelLogitWeight: Number.NaN } })).toThrow(/voxelLogitWeight/);
    expect(() => new Segmenter(model, { superpoints: { voxelLogitClicks: 0 } })).toThrow(/voxelLogitClicks is 0/);
    model.dispose();
  });

  it('with both switches off, the result is the voxel path: sigmoid, group, map back, as before superpoints', () => {
    const segmenter = new Segmenter(createTestModel(7), VOXEL_LEVEL);
    segmenter.setScene(scene.cloud);
    const clicks = randomClicks(createRandom(5));
    const result = segmenter.segment(clicks);
    // The same steps by hand, from the decoder's output.
    const model = segmenter.model;
    const backbone = model.backbone.apply({ positions: scene.cloud.positions, colors: scene.cloud.colors });
    const [mask, classes] = tf.tidy(() => {
      const output = model.decoder.apply({
        levels: backbone.levels,
        clickVoxelIndices: Int32Array.from(clicks, (click) => backbone.inputToFinest[pointOf(click)]),
        clickPositions: Float32Array.from(clicks.flatMap((click) => Array.from(scene.cloud.positions.subarray(pointOf(click) * 3, pointOf(click) * 3 + 3)))),
      });
      const last = output.stages[output.stages.length - 1];
      return [tf.sigmoid(last.maskLogits), tf.softmax(last.classLogits)];
    });
    const expected = assignClickGroups({
      clicks,
      maskProbabilities: mask.dataSync() as Float32Array,
      classProbabilities: classes.dataSync() as Float32Array,
      pointToVoxel: backbone.inputToFinest,
      objectThreshold: model.config.objectThreshold ?? 0.5,
      classNames: model.config.classNames,
    });
    tf.dispose([mask, classes]);
    backbone.dispose();
    expect(Array.from(result.instance)).toEqual(Array.from(expected.instance));
    expect(result.objects).toEqual(expected.objects);
    segmenter.dispose();
  });

  it('uses the superpoints it is given, refuses ones of the wrong length, and leaks no tensors', () => {
    const segmenter = new Segmenter(createTestModel(7), { superpoints: { clickConstraints: true, pooling: true } });
    // One superpoint for the whole room: one object click claims every point.
    segmenter.setScene(scene.cloud, { superpoints: { labels: new Int32Array(scene.cloud.pointCount), count: 1 } });
    const { instance } = segmenter.segment([{ pointIndex: 10, objectId: 3, kind: 'object' }]);
    expect(instance.every((label) => label === 3)).toBe(true);
    expect(() => segmenter.setScene(scene.cloud, { superpoints: { labels: new Int32Array(5), count: 1 } })).toThrow(SegmenterInputError);
    expect(() => segmenter.setScene(scene.cloud, { superpoints: { labels: new Int32Array(scene.cloud.pointCount).fill(2), count: 1 } })).toThrow(/labels\[0\] is 2/);
    segmenter.clearScene();
    const tensors = tf.memory().numTensors;
    segmenter.setScene(scene.cloud, { superpoints });
    segmenter.segment([{ pointIndex: 10, objectId: 3, kind: 'object' }]);
    const afterFirst = tf.memory().numTensors; // the backbone features are now cached
    for (let round = 0; round < 5; round++) segmenter.segment([{ pointIndex: 10 + round, objectId: 1, kind: 'object' }, { pointIndex: 900, objectId: 2, kind: 'background' }]);
    expect(tf.memory().numTensors).toBe(afterFirst);
    segmenter.clearScene();
    expect(tf.memory().numTensors).toBe(tensors);
    segmenter.dispose();
  });
});
