import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { averageStageClassLogits, calibrateClassLogits, CheckpointError, parseCheckpointDocument, SegmenterInputError, serializeCheckpoint, Segmenter, type Click } from '../src/index.js';
import { loadSegmenter, saveCheckpoint } from '../src/node/index.js';
import { createTestModel, makeRoomCloud, TEST_CLASS_NAMES, useCpuBackend, VOXEL_LEVEL } from './segmenter-fixtures.js';

const cloud = makeRoomCloud(800, 23);
const clicks: Click[] = [
  { pointIndex: 5, objectId: 1, kind: 'object' },
  { pointIndex: cloud.boxPointCount + 9, objectId: 2, kind: 'object' },
];
let directory: string;

beforeAll(async () => {
  await useCpuBackend();
  directory = await mkdtemp(join(tmpdir(), 'segmenter-class-calibration-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

/** softmax(calibrateClassLogits(logits)) as nested arrays. */
function calibratedProbabilities(logits: number[][], calibration: Parameters<typeof calibrateClassLogits>[1]): number[][] {
  return tf.tidy(() => tf.softmax(calibrateClassLogits(tf.tensor2d(logits), calibration)).arraySync() as number[][]);
}

describe('calibrateClassLogits', () => {
  it('lets a bias against a frequent class reorder a hand-made case the temperature alone keeps', () => {
    // wall, floor, chair, table: the head prefers chair (2.0) to table (1.5); the prior favoured chairs.
    const logits = [[0, -1, 2, 1.5]];
    const temperatureOnly = calibratedProbabilities(logits, { temperature: 2 })[0];
    expect(temperatureOnly.indexOf(Math.max(...temperatureOnly))).toBe(2);
    // b = [0, 0, −0.5, 0.5]: after ÷ 2 the logits are [0, −0.5, 1, 0.75] + b = [0, −0.5, 0.5, 1.25] → table first.
    const adjusted = calibratedProbabilities(logits, { temperature: 2, classBias: [0, 0, -0.5, 0.5] })[0];
    expect(adjusted.indexOf(Math.max(...adjusted))).toBe(3);
    const expected = [0, -0.5, 0.5, 1.25].map((value) => Math.exp(value));
    const sum = expected.reduce((total, value) => total + value, 0);
    expected.forEach((value, index) => expect(adjusted[index]).toBeCloseTo(value / sum, 6));
  });

  it('returns the logits themselves with no calibration, and the temperature scaling alone with a zero bias', () => {
    const logits = tf.tensor2d([[0.3, -2, 1.1, 4]]);
    expect(calibrateClassLogits(logits, undefined)).toBe(logits);
    expect(calibrateClassLogits(logits, { temperature: 1 })).toBe(logits);
    const zeroBias = calibratedProbabilities([[0.3, -2, 1.1, 4]], { temperature: 1.3, classBias: [0, 0, 0, 0] })[0];
    const plain = calibratedProbabilities([[0.3, -2, 1.1, 4]], { temperature: 1.3 })[0];
    expect(zeroBias).toEqual(plain);
    logits.dispose();
  });

  it('refuses a bias whose length is not the class count', () => {
    const logits = tf.tensor2d([[0, 1, 2, 3]]);
    expect(() => calibrateClassLogits(logits, { temperature: 1, classBias: [0, 1] })).toThrow(/classBias has 2 entries, the class logits 4 classes/);
    logits.dispose();
  });
});

describe('class bias in the checkpoint and the segmenter', () => {
  it('round-trips calibration.classBias and applies it in Segmenter.segment', async () => {
    const model = createTestModel(17);
    const raw = new Segmenter(model, VOXEL_LEVEL);
    raw.setScene(cloud);
    const rawObjects = raw.segment(clicks).objects;
    raw.clearScene();
    const calibration = { temperature: 1.5, classBias: [0.25, -0.75, 1, -0.5] };
    model.config.calibration = calibration;
    await saveCheckpoint(model, join(directory, 'biased'));
    model.dispose();
    const loaded = await loadSegmenter(join(directory, 'biased'));
    expect(loaded.model.config.calibration).toEqual(calibration);
    const biased = new Segmenter(loaded.model, VOXEL_LEVEL);
    biased.setScene(cloud);
    const biasedObjects = biased.segment(clicks).objects;
    // Frees the loaded model's weights too (the same model).
    biased.dispose();
    expect(biasedObjects).toHaveLength(rawObjects.length);
    rawObjects.forEach((object, index) => {
      // One click per object: its probabilities are that click's softmax; log p recovers its logits up to a shift.
      const expected = calibratedProbabilities([[...object.classProbabilities].map((value) => Math.log(value))], calibration)[0];
      expected.forEach((value, classIndex) => expect(biasedObjects[index].classProbabilities[classIndex]).toBeCloseTo(value, 4));
    });
  });

  it('refuses a bad classBias naming the field and what was expected', () => {
    const model = createTestModel(19);
    const { document } = serializeCheckpoint(model);
    model.dispose();
    const parse = (classBias: unknown) => () =>
      parseCheckpointDocument({ ...document, config: { ...document.config, calibration: { temperature: 1.2, classBias } } } as typeof document, 'model.json');
    expect(parse([0, 0, 0, 0])().config.calibration).toEqual({ temperature: 1.2, classBias: [0, 0, 0, 0] });
    const expected = `field 'config\\.calibration\\.classBias': expected an array of ${TEST_CLASS_NAMES.length} finite numbers \\(one per class name\\)`;
    expect(parse([0, 1])).toThrow(new RegExp(`${expected}, got 2 entries`));
    expect(parse([0, 1, Number.NaN, 2])).toThrow(new RegExp(`${expected}, got 4 entries with a non-finite`));
    expect(parse('chair')).toThrow(new RegExp(`${expected}, got "chair"`));
    expect(parse([0, 1])).toThrow(CheckpointError);
  });
});

describe('class logits from several decoder stages (classStageCount)', () => {
  it('averages the last k stages, returns the last stage itself for k = 1, and refuses k outside 1…stages', () => {
    const stages = [[[1, 2]], [[3, -2]], [[0, 4]], [[5, 0]]].map((logits) => ({ classLogits: tf.tensor2d(logits) }));
    expect(averageStageClassLogits(stages)).toBe(stages[3].classLogits);
    expect(averageStageClassLogits(stages, 1)).toBe(stages[3].classLogits);
    const two = averageStageClassLogits(stages, 2);
    expect(two.arraySync()).toEqual([[2.5, 2]]);
    const four = averageStageClassLogits(stages, 4);
    expect(four.arraySync()).toEqual([[2.25, 1]]);
    for (const bad of [0, 5, 1.5, Number.NaN]) expect(() => averageStageClassLogits(stages, bad)).toThrow(SegmenterInputError);
    expect(() => averageStageClassLogits(stages, 5)).toThrow(/classStageCount is 5; expected an integer from 1 to the decoder's 4 stages/);
    [two, four, ...stages.map((stage) => stage.classLogits)].forEach((tensor) => tensor.dispose());
  });

  it("shows softmax of the mean of the last k stages' logits in Segmenter.segment, after the calibration", () => {
    const model = createTestModel(29);
    const recorded: number[][][][] = [];
    const apply = model.decoder.apply.bind(model.decoder);
    model.decoder.apply = (input) => {
      const output = apply(input);
      recorded.push(output.stages.map((stage) => stage.classLogits.arraySync()));
      return output;
    };
    const segmenter = new Segmenter(model, VOXEL_LEVEL);
    segmenter.setScene(cloud);
    const shownWith = (count: number) => {
      model.config.classStageCount = count;
      return segmenter.segment(clicks);
    };
    const lastResult = shownWith(1);
    model.config.calibration = { temperature: 1.7 };
    const averagedResult = shownWith(3);
    const [last, averaged] = [lastResult.objects, averagedResult.objects];
    const stageLogits = recorded[recorded.length - 1]; // [stage][click][class]
    averaged.forEach((object, index) => {
      // One click per object, in click order: the object's probabilities are its click's softmax.
      const mean = stageLogits[0][index].map((_, classIndex) => (stageLogits[1][index][classIndex] + stageLogits[2][index][classIndex] + stageLogits[3][index][classIndex]) / 3);
      const expected = calibratedProbabilities([mean], { temperature: 1.7 })[0];
      expected.forEach((value, classIndex) => expect(object.classProbabilities[classIndex]).toBeCloseTo(value, 5));
    });
    // The masks do not depend on it; the classes do (random weights: the stages disagree).
    expect(averagedResult.instance).toEqual(lastResult.instance);
    expect(averaged.some((object, index) => Math.abs(object.classProbabilities[0] - last[index].classProbabilities[0]) > 1e-4)).toBe(true);
    model.config.classStageCount = 9;
    expect(() => segmenter.segment(clicks)).toThrow(SegmenterInputError);
    segmenter.dispose();
  });

  it('round-trips classStageCount and refuses values outside 1…the decoder stages, naming the field', () => {
    const model = createTestModel(31);
    const { document } = serializeCheckpoint(model);
    model.dispose();
    const parse = (classStageCount: unknown) => () => parseCheckpointDocument({ ...document, config: { ...document.config, classStageCount } } as typeof document, 'model.json');
    expect(parse(4)().config.classStageCount).toBe(4);
    for (const bad of [0, 5, 2.5, '2']) {
      expect(parse(bad)).toThrow(CheckpointError);
      expect(parse(bad)).toThrow(new RegExp(`field 'config\\.classStageCount': expected an integer from 1 to 4 \\(the decoder's stages\\), got ${JSON.stringify(bad)}`));
    }
  });
});
