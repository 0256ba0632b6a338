import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Segmenter, SegmenterInputError, type Click, type InteractiveSegmentationModel } from '../src/index.js';
import { nodeSearchThreads } from '../src/node/index.js';
import { createRandom, createTestModel, makeRoomCloud, useCpuBackend, VOXEL_LEVEL } from './segmenter-fixtures.js';

const cloud = makeRoomCloud(1200, 11);
const firstBoxPoint = 0;
const secondBoxPoint = cloud.boxPointCount;
const floorPoint = 2 * cloud.boxPointCount;

function pointAt(index: number): [number, number, number] {
  return [cloud.positions[index * 3], cloud.positions[index * 3 + 1], cloud.positions[index * 3 + 2]];
}

/** Replaces the decoder pass with fixed logits: +6 where `claims(voxel, click)`, else -6. Returns the restore function. */
function overrideDecoder(model: InteractiveSegmentationModel, claims: (voxel: number, click: number) => boolean, classLogits?: number[][]): () => void {
  const decoder = model.decoder;
  const original = decoder.apply.bind(decoder);
  decoder.apply = (input) => {
    const voxelCount = input.levels[input.levels.length - 1].features.shape[0];
    const clickCount = input.clickVoxelIndices.length;
    const values = new Float32Array(voxelCount * clickCount);
    for (let voxel = 0; voxel < voxelCount; voxel++) {
      for (let click = 0; click < clickCount; click++) values[voxel * clickCount + click] = claims(voxel, click) ? 6 : -6;
    }
    const classes = classLogits ?? Array.from({ length: clickCount }, () => [0, 0, 0, 0]);
    return { stages: [{ maskLogits: tf.tensor2d(values, [voxelCount, clickCount]), classLogits: tf.tensor2d(classes) }] };
  };
  return () => {
    decoder.apply = original;
  };
}

beforeAll(async () => {
  await useCpuBackend();
});

describe('Segmenter', () => {
  let segmenter: Segmenter;
  let tensorsBefore: number;

  beforeAll(() => {
    tensorsBefore = tf.memory().numTensors;
    segmenter = new Segmenter(createTestModel());
  });

  afterAll(() => {
    segmenter.dispose();
    // Every weight and cached feature is freed.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('returns one label per input point and one entry per object, with consistent counts', () => {
    segmenter.setScene(cloud);
    const clicks: Click[] = [
      { pointIndex: firstBoxPoint, objectId: 4, kind: 'object' },
      { position: pointAt(secondBoxPoint), objectId: 2, kind: 'object' },
      { pointIndex: floorPoint, objectId: 1, kind: 'background' },
    ];
    const result = segmenter.segment(clicks);
    expect(result.instance).toBeInstanceOf(Int32Array);
    expect(result.instance).toHaveLength(cloud.pointCount);
    expect(result.objects.map((entry) => entry.objectId)).toEqual([2, 4]);
    for (const label of result.instance) expect([0, 2, 4]).toContain(label);
    for (const entry of result.objects) {
      expect(entry.pointCount).toBe(result.instance.filter((label) => label === entry.objectId).length);
      expect(entry.classIndex).toBeGreaterThanOrEqual(0);
      expect(entry.classIndex).toBeLessThan(4);
      expect(entry.className).toBe(segmenter.classNames[entry.classIndex]);
      // The argmax of a 4-class softmax is at least 1/4.
      expect(entry.classProbability).toBeGreaterThanOrEqual(0.25);
      expect(entry.classProbability).toBeLessThanOrEqual(1);
      if (entry.pointCount > 0) expect(entry.score).toBeGreaterThanOrEqual(0.5);
      else expect(entry.score).toBe(0);
    }
    expect(result.backboneMilliseconds).toBeGreaterThan(0);
    expect(result.decoderMilliseconds).toBeGreaterThan(0);
  });

  it('segmentAsync (asynchronous read-back) returns exactly what segment returns', async () => {
    segmenter.setScene(cloud);
    const clicks: Click[] = [
      { pointIndex: firstBoxPoint, objectId: 4, kind: 'object' },
      { pointIndex: secondBoxPoint, objectId: 2, kind: 'object' },
      { pointIndex: floorPoint, objectId: 1, kind: 'background' },
    ];
    const synchronous = segmenter.segment(clicks); // runs the backbone and caches its features
    const before = tf.memory().numTensors;
    const asynchronous = await segmenter.segmentAsync(clicks);
    expect(Array.from(asynchronous.instance)).toEqual(Array.from(synchronous.instance));
    expect(asynchronous.objects).toEqual(synchronous.objects);
    expect(tf.memory().numTensors).toBe(before);
    expect((await segmenter.segmentAsync([])).instance.every((label) => label === 0)).toBe(true);
  });

  it('runs the backbone once per scene; click updates rerun only the decoder', () => {
    const model = segmenter.model;
    const backboneApply = model.backbone.apply.bind(model.backbone);
    const decoderApply = model.decoder.apply.bind(model.decoder);
    let backboneRuns = 0;
    let decoderRuns = 0;
    model.backbone.apply = (input) => {
      backboneRuns++;
      return backboneApply(input);
    };
    model.decoder.apply = (input) => {
      decoderRuns++;
      return decoderApply(input);
    };
    try {
      segmenter.setScene(cloud);
      expect(segmenter.hasCachedFeatures).toBe(false);
      const click: Click = { pointIndex: firstBoxPoint, objectId: 1, kind: 'object' };
      segmenter.segment([click]);
      expect(segmenter.hasCachedFeatures).toBe(true);
      const added = segmenter.segment([click, { pointIndex: secondBoxPoint, objectId: 2, kind: 'object' }]);
      const moved = segmenter.segment([{ pointIndex: firstBoxPoint + 5, objectId: 1, kind: 'object' }]);
      segmenter.segment([]);
      expect(backboneRuns).toBe(1);
      expect(decoderRuns).toBe(3);
      expect(added.backboneMilliseconds).toBe(0);
      expect(moved.backboneMilliseconds).toBe(0);
      // A new scene drops the cache; its first segment runs the backbone again.
      segmenter.setScene(makeRoomCloud(900, 3));
      expect(segmenter.hasCachedFeatures).toBe(false);
      segmenter.segment([click]);
      expect(backboneRuns).toBe(2);
    } finally {
      model.backbone.apply = backboneApply;
      model.decoder.apply = decoderApply;
    }
  });

  it('gives points sharing a voxel (duplicates included) the same label', () => {
    // Duplicate every 7th point exactly, and add a second point 1 mm from every 11th (same 5 cm voxel, mostly).
    const extra: number[] = [];
    for (let point = 0; point < cloud.pointCount; point += 7) extra.push(...pointAt(point));
    for (let point = 3; point < cloud.pointCount; point += 11) {
      const [x, y, z] = pointAt(point);
      extra.push(x + 0.001, y, z);
    }
    const positions = new Float32Array(cloud.positions.length + extra.length);
    positions.set(cloud.positions);
    positions.set(extra, cloud.positions.length);
    const pointCount = positions.length / 3;
    const dense = { pointCount, positions };
    const model = createTestModel(5, { objectThreshold: 0 });
    const local = new Segmenter(model, VOXEL_LEVEL);
    try {
      local.setScene(dense);
      const result = local.segment([
        { pointIndex: firstBoxPoint, objectId: 1, kind: 'object' },
        { pointIndex: secondBoxPoint, objectId: 2, kind: 'object' },
        { pointIndex: floorPoint, objectId: 3, kind: 'object' },
      ]);
      // With threshold 0 and no background click, every point belongs to some object.
      expect(result.instance.every((label) => label >= 1 && label <= 3)).toBe(true);
      expect(result.objects.reduce((total, entry) => total + entry.pointCount, 0)).toBe(pointCount);
      // Exact duplicates share a label.
      let duplicate = cloud.pointCount;
      for (let point = 0; point < cloud.pointCount; point += 7) expect(result.instance[duplicate++]).toBe(result.instance[point]);
      // Every pair of input points in one voxel shares a label: the voxel decides, not the point.
      const output = model.backbone.apply({ positions });
      const inputToFinest = output.inputToFinest;
      output.dispose();
      const voxelLabel = new Map<number, number>();
      let sharedVoxels = 0;
      for (let point = 0; point < pointCount; point++) {
        const seen = voxelLabel.get(inputToFinest[point]);
        if (seen === undefined) voxelLabel.set(inputToFinest[point], result.instance[point]);
        else {
          sharedVoxels++;
          expect(result.instance[point]).toBe(seen);
        }
      }
      expect(sharedVoxels).toBeGreaterThan(extra.length / 3);
      // Fewer voxels than points: the cloud was voxel-downsampled on the way in.
      expect(voxelLabel.size).toBeLessThan(pointCount);
    } finally {
      local.dispose();
    }
  });

  it('permuting the clicks permutes the decoder outputs and leaves the labels unchanged', () => {
    segmenter.setScene(cloud);
    const clicks: Click[] = [
      { pointIndex: firstBoxPoint, objectId: 1, kind: 'object' },
      { pointIndex: secondBoxPoint, objectId: 2, kind: 'object' },
      { pointIndex: floorPoint, objectId: 1, kind: 'background' },
      { pointIndex: firstBoxPoint + 40, objectId: 1, kind: 'object' },
    ];
    const permutation = [3, 0, 2, 1];
    const permuted = permutation.map((index) => clicks[index]);
    const original = segmenter.segment(clicks);
    const reordered = segmenter.segment(permuted);
    expect([...reordered.instance]).toEqual([...original.instance]);
    expect(reordered.objects.map(({ objectId, classIndex, pointCount }) => ({ objectId, classIndex, pointCount }))).toEqual(
      original.objects.map(({ objectId, classIndex, pointCount }) => ({ objectId, classIndex, pointCount })),
    );

    // At the decoder: column j of the permuted masks is column permutation[j] of the original.
    const model = segmenter.model;
    const output = model.backbone.apply({ positions: cloud.positions, colors: cloud.colors });
    const decode = (indices: number[]) =>
      tf.tidy(() => {
        const pointIndices = indices.map((index) => (clicks[index] as { pointIndex: number }).pointIndex);
        const { stages } = model.decoder.apply({
          levels: output.levels,
          clickVoxelIndices: Int32Array.from(pointIndices, (point) => output.inputToFinest[point]),
          clickPositions: Float32Array.from(pointIndices.flatMap((point) => pointAt(point))),
        });
        const last = stages[stages.length - 1];
        return [last.maskLogits.arraySync(), last.classLogits.arraySync()] as const;
      });
    const [masks, classes] = decode([0, 1, 2, 3]);
    const [permutedMasks, permutedClasses] = decode(permutation);
    output.dispose();
    expect(masks[0]).toHaveLength(4);
    for (let voxel = 0; voxel < masks.length; voxel++) {
      permutation.forEach((source, column) => expect(permutedMasks[voxel][column]).toBeCloseTo(masks[voxel][source], 4));
    }
    permutation.forEach((source, row) => classes[source].forEach((value, index) => expect(permutedClasses[row][index]).toBeCloseTo(value, 4)));
  });

  it("divides the class logits by the checkpoint's calibration temperature before the softmax", () => {
    const voxelSegmenter = new Segmenter(segmenter.model, VOXEL_LEVEL);
    voxelSegmenter.setScene(cloud);
    const restore = overrideDecoder(voxelSegmenter.model, () => true, [[2, 0, 1, 0]]);
    const config = voxelSegmenter.model.config;
    try {
      const clicks: Click[] = [{ pointIndex: firstBoxPoint, objectId: 1, kind: 'object' }];
      const softmax = (logits: number[]) => logits.map((value) => Math.exp(value) / logits.reduce((sum, other) => sum + Math.exp(other), 0));
      const plain = voxelSegmenter.segment(clicks).objects[0];
      [...softmax([2, 0, 1, 0])].forEach((value, index) => expect(plain.classProbabilities[index]).toBeCloseTo(value, 5));
      config.calibration = { temperature: 2 };
      const softened = voxelSegmenter.segment(clicks).objects[0];
      [...softmax([1, 0, 0.5, 0])].forEach((value, index) => expect(softened.classProbabilities[index]).toBeCloseTo(value, 5));
      // Same class, lower confidence.
      expect(softened.classIndex).toBe(plain.classIndex);
      expect(softened.classProbability).toBeLessThan(plain.classProbability - 0.1);
    } finally {
      delete config.calibration;
      restore();
      voxelSegmenter.clearScene();
    }
  });

  it('groups clicks by objectId, lets background clicks claim points, and maps voxels back to points', () => {
    // The voxel path (superpoints off, same model); the superpoint steps have their own tests.
    const voxelSegmenter = new Segmenter(segmenter.model, VOXEL_LEVEL);
    voxelSegmenter.setScene(cloud);
    // Warm the cache with the real decoder so inputToFinest is known, then fix the decoder's answer.
    voxelSegmenter.segment([{ pointIndex: firstBoxPoint, objectId: 1, kind: 'object' }]);
    const output = voxelSegmenter.model.backbone.apply({ positions: cloud.positions, colors: cloud.colors });
    const inputToFinest = output.inputToFinest;
    output.dispose();
    const boxOfVoxel = new Map<number, number>();
    for (let point = 0; point < cloud.pointCount; point++) {
      boxOfVoxel.set(inputToFinest[point], point < cloud.boxPointCount ? 1 : point < 2 * cloud.boxPointCount ? 2 : 0);
    }
    // Click c claims the voxels of box `claimedBox[c]` (0 = the floor).
    const claimedBox = [1, 2, 1, 0];
    const restore = overrideDecoder(voxelSegmenter.model, (voxel, click) => boxOfVoxel.get(voxel) === claimedBox[click], [
      [3, 0, 0, 0],
      [0, 0, 2, 0],
      [0, 3, 0, 0],
      [0, 0, 0, 1],
    ]);
    try {
      const twoObjects = voxelSegmenter.segment([
        { pointIndex: firstBoxPoint, objectId: 7, kind: 'object' },
        { pointIndex: secondBoxPoint, objectId: 9, kind: 'object' },
        { pointIndex: firstBoxPoint + 1, objectId: 7, kind: 'object' },
        { pointIndex: floorPoint, objectId: 7, kind: 'object' },
      ]);
      // Clicks 0, 2 and 3 share objectId 7: box 1 and the floor merge into one object. A voxel where a box
      // meets the floor holds points of both; the fixed decoder answers per voxel, so every point follows its voxel.
      const ownerOf = (point: number) => boxOfVoxel.get(inputToFinest[point])!;
      const expectedMerged = Int32Array.from({ length: cloud.pointCount }, (_, point) => (ownerOf(point) === 2 ? 9 : 7));
      expect([...twoObjects.instance]).toEqual([...expectedMerged]);
      const countOf = (labels: Int32Array, label: number) => labels.filter((value) => value === label).length;
      // Nearly all of box 2's points are labelled 9 (all but those in voxels shared with the floor).
      expect(countOf(expectedMerged, 9)).toBeGreaterThan(cloud.boxPointCount * 0.9);
      expect(twoObjects.objects.map((entry) => [entry.objectId, entry.pointCount])).toEqual([
        [7, countOf(expectedMerged, 7)],
        [9, countOf(expectedMerged, 9)],
      ]);
      // Object 7's class: mean of softmax([3,0,0,0]), softmax([0,3,0,0]), softmax([0,0,0,1]) → wall (index 0) ≈ 0.33.
      expect(twoObjects.objects[0].className).toBe('wall');
      expect(twoObjects.objects[1].className).toBe('chair');

      // The floor click as background: the floor goes to the background group and stays 0.
      const withBackground = voxelSegmenter.segment([
        { pointIndex: firstBoxPoint, objectId: 7, kind: 'object' },
        { pointIndex: secondBoxPoint, objectId: 9, kind: 'object' },
        { pointIndex: firstBoxPoint + 1, objectId: 7, kind: 'object' },
        { pointIndex: floorPoint, objectId: 7, kind: 'background' },
      ]);
      const expectedSplit = Int32Array.from({ length: cloud.pointCount }, (_, point) => [0, 7, 9][ownerOf(point)]);
      expect([...withBackground.instance]).toEqual([...expectedSplit]);
      expect(countOf(expectedSplit, 0)).toBeGreaterThan(cloud.pointCount - 2 * cloud.boxPointCount - 50);
      expect(withBackground.objects.map((entry) => entry.pointCount)).toEqual([countOf(expectedSplit, 7), countOf(expectedSplit, 9)]);
      expect(withBackground.objects[0].score).toBeCloseTo(1 / (1 + Math.exp(-6)), 5);
    } finally {
      restore();
      voxelSegmenter.clearScene();
    }
  });

  it('keeps tf.memory().numTensors constant over 50 successive click updates', () => {
    segmenter.setScene(cloud);
    segmenter.segment([{ pointIndex: 0, objectId: 1, kind: 'object' }]);
    const cached = tf.memory().numTensors;
    const random = createRandom(99);
    const clicks: Click[] = [];
    for (let update = 0; update < 50; update++) {
      const action = update < 5 ? 0 : Math.floor(random() * 3);
      if (action === 0 || clicks.length === 0) {
        clicks.push({ pointIndex: Math.floor(random() * cloud.pointCount), objectId: 1 + Math.floor(random() * 3), kind: random() < 0.2 ? 'background' : 'object' });
      } else if (action === 1) {
        clicks[Math.floor(random() * clicks.length)] = { position: pointAt(Math.floor(random() * cloud.pointCount)), objectId: 2, kind: 'object' };
      } else {
        clicks.splice(Math.floor(random() * clicks.length), 1);
      }
      if (clicks.length > 12) clicks.shift();
      segmenter.segment(clicks);
      expect(tf.memory().numTensors).toBe(cached);
    }
    segmenter.clearScene();
    expect(segmenter.hasCachedFeatures).toBe(false);
    expect(tf.memory().numTensors).toBeLessThan(cached);
  });
});

describe('Segmenter input errors', () => {
  let segmenter: Segmenter;

  beforeAll(() => {
    segmenter = new Segmenter(createTestModel());
  });

  afterAll(() => segmenter.dispose());

  it('refuses search helper settings without a positive helper count or a spawn function', () => {
    const spawn = () => ({ postMessage: () => undefined, terminate: () => undefined });
    expect(() => new Segmenter(segmenter.model, { searchThreads: { count: 0, spawn } })).toThrow(SegmenterInputError);
    expect(() => new Segmenter(segmenter.model, { searchThreads: { count: 1.5, spawn } })).toThrow(/searchThreads is \{ count: 1.5/);
    expect(() => new Segmenter(segmenter.model, { searchThreads: { count: 1, spawn: undefined as never } })).toThrow(/spawn: undefined/);
    expect(() => nodeSearchThreads(-1)).toThrow(/count is -1; expected an integer ≥ 0/);
    expect(nodeSearchThreads(0)).toBeUndefined();
    expect(nodeSearchThreads(2)?.count).toBe(2);
  });

  it('refuses segment before setScene', () => {
    expect(() => segmenter.segment([{ pointIndex: 0, objectId: 1, kind: 'object' }])).toThrow(SegmenterInputError);
    expect(() => segmenter.segment([])).toThrow(/segment called before setScene/);
  });

  it('refuses an empty cloud and mismatched position arrays', () => {
    expect(() => segmenter.setScene({ pointCount: 0, positions: new Float32Array(0) })).toThrow(/the cloud is empty/);
    expect(() => segmenter.setScene({ pointCount: 3, positions: new Float32Array(6) })).toThrow(/positions has 6 values but pointCount 3 needs 9/);
    expect(() => segmenter.setScene(undefined as never)).toThrow(SegmenterInputError);
    const withHole = { pointCount: 3, positions: Float32Array.from([0, 0, 0, 1, Number.NaN, 0, 2, 0, 0]) };
    expect(() => segmenter.setScene(withHole)).toThrow(/setScene: positions\[4\] \(point 1, y\) is NaN; every coordinate must be finite/);
  });

  it('refuses a click farther than the tolerance from every point, naming the distance and tolerance', () => {
    segmenter.setScene(cloud);
    // The cloud lies in z ∈ [0, 0.4]; 1 m above the floor centre is ≥ 0.6 m from every point.
    const far: Click = { position: [1, 1, 1.4], objectId: 1, kind: 'object' };
    expect(() => segmenter.segment([{ pointIndex: 0, objectId: 1, kind: 'object' }, far])).toThrow(
      /click 1: position \[1, 1, 1\.4\] is \d\.\d{3} m from the nearest point; the tolerance is 0\.1 m/,
    );
    // Just inside the tolerance is accepted and snapped to the point.
    const [x, y, z] = pointAt(floorPoint);
    expect(segmenter.segment([{ position: [x, y, z + 0.05], objectId: 1, kind: 'object' }]).instance).toHaveLength(cloud.pointCount);
  });

  it('refuses more clicks than the configured maximum', () => {
    segmenter.setScene(cloud);
    const clicks: Click[] = Array.from({ length: 13 }, (_, index) => ({ pointIndex: index, objectId: 1, kind: 'object' }));
    expect(() => segmenter.segment(clicks)).toThrow(/13 clicks exceed the configured maximum of 12/);
    expect(segmenter.segment(clicks.slice(0, 12)).objects).toHaveLength(1);
  });

  it.each([0, -2, 1.5, Number.NaN, '3' as unknown as number])('refuses objectId %s', (objectId) => {
    segmenter.setScene(cloud);
    expect(() => segmenter.segment([{ pointIndex: 0, objectId: 1, kind: 'object' }, { pointIndex: 1, objectId, kind: 'object' }])).toThrow(
      new RegExp(`click 1: objectId must be a positive integer, got ${String(objectId)}`),
    );
  });

  it('refuses a bad kind, a bad position, and a pointIndex outside the scene', () => {
    segmenter.setScene(cloud);
    expect(() => segmenter.segment([{ pointIndex: 0, objectId: 1, kind: 'positive' as never }])).toThrow(/click 0: kind must be 'object' or 'background', got positive/);
    expect(() => segmenter.segment([{ position: [0, Number.NaN, 0], objectId: 1, kind: 'object' }])).toThrow(/click 0: position must be three finite numbers/);
    expect(() => segmenter.segment([{ pointIndex: cloud.pointCount, objectId: 1, kind: 'object' }])).toThrow(
      new RegExp(`click 0: pointIndex ${cloud.pointCount} is outside the scene's ${cloud.pointCount} points`),
    );
    expect(() => segmenter.segment([{ objectId: 1, kind: 'object' } as never])).toThrow(/needs a position \[x, y, z\] or an integer pointIndex/);
  });

  it('checks clicks before running the backbone', () => {
    segmenter.setScene(cloud);
    expect(() => segmenter.segment([{ pointIndex: -1, objectId: 1, kind: 'object' }])).toThrow(SegmenterInputError);
    expect(segmenter.hasCachedFeatures).toBe(false);
  });
});

describe('InteractiveSegmentationModel gradients', () => {
  it('sends a finite gradient to every backbone and decoder weight', () => {
    const model = createTestModel(9);
    model.setTraining(true);
    const scene = makeRoomCloud(500, 4);
    const clickPoints = [0, scene.boxPointCount + 3, 2 * scene.boxPointCount + 10];
    const tensorsBefore = tf.memory().numTensors;
    const variables = model.trainableVariables();
    const { value, grads } = tf.variableGrads(() => {
      // No decoder scene: training differentiates through the click-independent part too.
      const output = model.backbone.apply({ positions: scene.positions, colors: scene.colors });
      const voxelCount = output.levels[output.levels.length - 1].features.shape[0];
      const { stages } = model.decoder.apply({
        levels: output.levels,
        clickVoxelIndices: Int32Array.from(clickPoints, (point) => output.inputToFinest[point]),
        clickPositions: Float32Array.from(clickPoints.flatMap((point) => [...scene.positions.subarray(point * 3, point * 3 + 3)])),
      });
      const random = createRandom(17);
      // Random projections of every stage's outputs, so no weight cancels by symmetry.
      const terms = stages.flatMap((stage) => [
        tf.sum(tf.mul(stage.maskLogits, tf.tensor2d(Float32Array.from({ length: voxelCount * 3 }, () => random() - 0.5), [voxelCount, 3]))),
        tf.sum(tf.mul(stage.classLogits, tf.tensor2d(Float32Array.from({ length: 3 * 4 }, () => random() - 0.5), [3, 4]))),
      ]);
      return tf.addN(terms) as tf.Scalar;
    }, variables);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    const named = [...model.namedVariables().entries()].filter(([, variable]) => variable.trainable);
    expect(named.some(([name]) => name.startsWith('ptv3.'))).toBe(true);
    expect(named.some(([name]) => name.startsWith('click_decoder.'))).toBe(true);
    const zero: string[] = [];
    for (const [name, variable] of named) {
      const gradient = grads[variable.name];
      expect(gradient, name).toBeDefined();
      const values = gradient.dataSync();
      expect(values.every(Number.isFinite), name).toBe(true);
      const largest = Math.max(...Array.from(values, Math.abs));
      if (largest === 0 || (/attention\.key\.bias$/.test(name) && largest < 1e-4)) zero.push(name);
    }
    // softmax(q·(k + b)) = softmax(q·k): a key bias provably gets no gradient in dot-product attention,
    // so those (and only those) may be zero.
    expect(zero.filter((name) => !/key\.bias$/.test(name))).toEqual([]);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.dispose();
  });
});
