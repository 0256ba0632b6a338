import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { addDistanceSlopes, parseCheckpointDocument, resolveStructuralReach, SegmenterInputError, Segmenter, serializeCheckpoint, structuralReachSlopes } from '../src/index.js';
import type { Click, InteractiveSegmentationModel, SegmentationResult, SegmenterOptions, StructuralReachSettings } from '../src/index.js';
import { createTestConfig, createTestModel, makeRoomCloud, TEST_CLASS_NAMES, useCpuBackend, VOXEL_LEVEL } from './segmenter-fixtures.js';

describe('structuralReachSlopes', () => {
  it('gives each object click (1 − factor)·p·g, p its probability of the classes, and background clicks 0', () => {
    const reach = resolveStructuralReach({ factor: 0.25, classes: ['wall', 'floor'] }, TEST_CLASS_NAMES);
    expect([...reach.classIndices]).toEqual([0, 1]);
    // Three clicks × four classes (wall, floor, chair, table).
    const probabilities = Float32Array.from([0.5, 0.25, 0.125, 0.125, 0, 0, 1, 0, 0.75, 0.25, 0, 0]);
    const clicks: Pick<Click, 'kind'>[] = [{ kind: 'object' }, { kind: 'object' }, { kind: 'background' }];
    const slopes = structuralReachSlopes(clicks, probabilities, 4, reach, 4);
    expect([...slopes]).toEqual([0.75 * 0.75 * 4, 0, 0]);
    // A factor of 1 changes nothing; one above 1 shortens the reach (negative slopes).
    expect([...structuralReachSlopes(clicks, probabilities, 4, { ...reach, factor: 1 }, 4)]).toEqual([0, 0, 0]);
    expect(structuralReachSlopes(clicks, probabilities, 4, { ...reach, factor: 2 }, 4)[0]).toBeLessThan(0);
    expect(() => structuralReachSlopes(clicks, probabilities.subarray(0, 8), 4, reach, 4)).toThrow(/8 class probabilities for 3 clicks of 4 classes/);
  });

  it('names a bad factor or class, and the default classes a model lacks', () => {
    expect(() => resolveStructuralReach({ factor: -1 }, TEST_CLASS_NAMES)).toThrow(SegmenterInputError);
    expect(() => resolveStructuralReach({ factor: Number.NaN }, TEST_CLASS_NAMES)).toThrow(/structuralReach\.factor is NaN; expected a finite number ≥ 0/);
    expect(() => resolveStructuralReach({ factor: 0.5, classes: ['wall', 'sky'] }, TEST_CLASS_NAMES)).toThrow(/structuralReach\.classes .*expected class names of this model \(sky is not one\)/);
    expect(() => resolveStructuralReach({ factor: 0.5, classes: [] }, TEST_CLASS_NAMES)).toThrow(/a non-empty list of distinct class names/);
    expect(() => resolveStructuralReach({ factor: 0.5, classes: ['wall', 'wall'] }, TEST_CLASS_NAMES)).toThrow(/distinct class names/);
    // The test model's classes have no ceiling, so the default list cannot be resolved.
    expect(() => resolveStructuralReach({ factor: 0.5 }, TEST_CLASS_NAMES)).toThrow(/the default wall, floor, ceiling lacks ceiling/);
    expect([...resolveStructuralReach({ factor: 0 }, ['floor', 'ceiling', 'chair', 'wall']).classIndices]).toEqual([3, 0, 1]);
  });
});

describe('addDistanceSlopes', () => {
  it("adds slope × distance to each click's column in place and refuses mismatched shapes", () => {
    // 3 voxels × 2 clicks, row-major.
    const logits = Float32Array.from([1, 2, 3, 4, 5, 6]);
    addDistanceSlopes(logits, Float32Array.from([0.5, 1, 1.5, 2, 3, 4]), Float64Array.from([2, 0]));
    expect([...logits]).toEqual([2, 2, 6, 4, 11, 6]);
    expect(() => addDistanceSlopes(logits, Float32Array.from([1, 2, 3, 4]), Float64Array.from([1, 1]))).toThrow(/6 logits and 4 distances/);
  });
});

describe('the segmenter with structuralReach', () => {
  const cloud = makeRoomCloud(800, 31);
  const clicks: Click[] = [
    { pointIndex: 7, objectId: 1, kind: 'object' },
    { pointIndex: cloud.boxPointCount + 11, objectId: 2, kind: 'object' },
    { pointIndex: 40, objectId: 1, kind: 'object' },
  ];

  beforeAll(async () => {
    await useCpuBackend();
  });

  function priorModel(structuralReach?: StructuralReachSettings): InteractiveSegmentationModel {
    const config = createTestConfig(29);
    return createTestModel(29, { decoder: { ...config.decoder, geodesicPriorLimit: 2 }, localityGain: 16, structuralReach });
  }

  function segmentOnce(model: InteractiveSegmentationModel, options: SegmenterOptions, someClicks = clicks): SegmentationResult {
    const segmenter = new Segmenter(model, options);
    segmenter.setScene(cloud);
    const result = segmenter.segment(someClicks);
    segmenter.clearScene();
    return result;
  }

  for (const [name, options] of [['voxel masks', VOXEL_LEVEL], ['superpoint pooling', { superpoints: { clickConstraints: true, pooling: true } }]] as const) {
    it(`with every class structural, segments as the model with its last stage's gain × factor (${name})`, () => {
      const reached = priorModel({ factor: 0.25, classes: [...TEST_CLASS_NAMES] });
      const stageCount = reached.decoder.config.stageCount;
      const lastGain = `stage_${stageCount - 1}.adaptor.geodesic_gain`;
      const variables = reached.decoder.namedVariables();
      expect(variables.has(lastGain)).toBe(true);
      expect(variables.has(`stage_${stageCount}.adaptor.geodesic_gain`)).toBe(false);
      const gain = variables.get(lastGain)!;
      const trained = gain.dataSync()[0];
      // p = 1 for every object click, so the reach is the gain scaled by 0.25 for all of them (no background click here).
      const scaled = priorModel();
      scaled.decoder.namedVariables().get(lastGain)!.assign(tf.scalar(trained * 0.25));
      const plain = segmentOnce(priorModel(), options);
      const withReach = segmentOnce(reached, options);
      const expected = segmentOnce(scaled, options);
      expect([...withReach.instance]).toEqual([...expected.instance]);
      // The masks grow: objects claim at least the points they did, and more in all.
      const claimed = (result: SegmentationResult) => result.instance.filter((label) => label > 0).length;
      expect(claimed(withReach)).toBeGreaterThan(claimed(plain));
      // Classes are the decoder's, untouched.
      expect(withReach.objects.map((entry) => [...entry.classProbabilities])).toEqual(plain.objects.map((entry) => [...entry.classProbabilities]));
      reached.dispose();
      scaled.dispose();
    });
  }

  it('a factor of 1 leaves the segmentation as it was', () => {
    const background: Click[] = [...clicks, { pointIndex: 2 * cloud.boxPointCount + 35, objectId: 1, kind: 'background' }];
    const plain = segmentOnce(priorModel(), VOXEL_LEVEL, background);
    expect([...segmentOnce(priorModel({ factor: 1, classes: ['wall', 'floor'] }), VOXEL_LEVEL, background).instance]).toEqual([...plain.instance]);
  });

  it('checkpoints: round-trips the setting and names a bad one or one the model cannot take', () => {
    const model = priorModel({ factor: 0.25, classes: ['wall', 'floor'] });
    const { document } = serializeCheckpoint(model);
    model.dispose();
    expect(parseCheckpointDocument(JSON.stringify(document), 'reach.json').config.structuralReach).toEqual({ factor: 0.25, classes: ['wall', 'floor'] });
    const parse = (config: object) => () => parseCheckpointDocument({ ...document, config: { ...document.config, ...config } }, 'reach.json');
    expect(parse({ structuralReach: { factor: -0.5 } })).toThrow(/reach\.json: field 'config\.structuralReach\.factor': expected a finite number ≥ 0, got -0\.5/);
    expect(parse({ structuralReach: { factor: 0.5, classes: ['ceiling'] } })).toThrow(/field 'config\.structuralReach\.classes': expected class names of this model \(ceiling is not one\)/);
    expect(parse({ structuralReach: { factor: 0.5 } })).toThrow(/field 'config\.structuralReach\.classes': expected class names of this model \(the default wall, floor, ceiling lacks ceiling\)/);
    expect(parse({ structuralReach: 0.5 })).toThrow(/field 'config\.structuralReach': expected an object \{ factor, classes\? \}, got 0\.5/);
    expect(parse({ structuralReach: { factor: 0.5, classes: ['wall'] }, localityGain: 0, decoder: { ...document.config.decoder, geodesicPriorLimit: 0 } })).toThrow(
      /field 'config\.structuralReach': needs the decoder's geodesic click prior/,
    );
    expect(parse({ structuralReach: { factor: 0.5, classes: ['wall'] }, decoder: { ...document.config.decoder, geodesicReach: true } })).toThrow(/without its learned reach/);
  });
});
