import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, createModelFromCheckpoint, parseCheckpointDocument, serializeCheckpoint, Segmenter } from '../src/index.js';
import type { Click, InteractiveSegmentationModel, SegmentationResult } from '../src/index.js';
import { createTestConfig, createTestModel, expectCheckpointRoundTrip, makeRoomCloud, useCpuBackend } from './segmenter-fixtures.js';

const cloud = makeRoomCloud(800, 23);
const clicks: Click[] = [
  { pointIndex: 5, objectId: 1, kind: 'object' },
  { pointIndex: cloud.boxPointCount + 9, objectId: 2, kind: 'object' },
  { pointIndex: 2 * cloud.boxPointCount + 40, objectId: 1, kind: 'background' },
];
/** The coarsest level (read by no stage of the tiny decoder) and the finest, and the mask's shape. */
const POOLING_LEVELS = [0, 2];
const POOLING_NAME = 'click_decoder.stage_3.adaptor.class_pooling';

function pooledModel(seed: number): InteractiveSegmentationModel {
  const config = createTestConfig(seed);
  return createTestModel(seed, { decoder: { ...config.decoder, classPoolingLevels: POOLING_LEVELS, classPoolingGeometry: true } });
}

function segmentOnce(model: InteractiveSegmentationModel): SegmentationResult {
  const segmenter = new Segmenter(model);
  segmenter.setScene(cloud);
  const result = segmenter.segment(clicks);
  segmenter.clearScene();
  return result;
}

function randomizePooling(model: InteractiveSegmentationModel): void {
  const variable = model.namedVariables().get(POOLING_NAME)!;
  tf.tidy(() => variable.assign(tf.randomUniform(variable.shape, -1, 1, 'float32', 7)));
}

beforeAll(async () => {
  await useCpuBackend();
});

describe('checkpoints and inference with class pooling (decoder classPoolingLevels)', () => {
  it('labels the points exactly as without pooling; W at zero also keeps the class probabilities bit for bit', () => {
    const plain = createTestModel(13);
    const pooled = pooledModel(13);
    const expected = segmentOnce(plain);
    const zero = segmentOnce(pooled);
    expect([...zero.instance]).toEqual([...expected.instance]);
    expect(zero.objects.map((object) => [...object.classProbabilities])).toEqual(expected.objects.map((object) => [...object.classProbabilities]));
    randomizePooling(pooled);
    const trained = segmentOnce(pooled);
    expect([...trained.instance]).toEqual([...expected.instance]);
    const largest = Math.max(...trained.objects.flatMap((object, index) => [...object.classProbabilities].map((value, column) => Math.abs(value - expected.objects[index].classProbabilities[column]))));
    expect(largest).toBeGreaterThan(1e-3);
    plain.dispose();
    pooled.dispose();
  });

  it('round-trips: the config names the levels, the weights hold W, and the reloaded model segments identically', () => {
    const source = pooledModel(13);
    randomizePooling(source);
    const document = expectCheckpointRoundTrip(source, 'pooled.json', segmentOnce);
    expect(document.config.decoder.classPoolingLevels).toEqual(POOLING_LEVELS);
    expect(document.config.decoder.classPoolingGeometry).toBe(true);
    expect(document.weights.manifest.some((entry) => entry.name === POOLING_NAME)).toBe(true);
  });

  it('refuses pooling levels without their W, and levels the backbone lacks, with a CheckpointError naming them', () => {
    const plain = createTestModel(13);
    const { document, weights } = serializeCheckpoint(plain);
    plain.dispose();
    // A document edited to claim class pooling while its weights predate it.
    const claimed = parseCheckpointDocument({ ...document, config: { ...document.config, decoder: { ...document.config.decoder, classPoolingLevels: [2] } } }, 'claimed.json');
    const tensorsBefore = tf.memory().numTensors;
    expect(() => createModelFromCheckpoint(claimed, weights, 'claimed.json')).toThrow(/claimed\.json: .*missing 1 \(first: 'click_decoder\.stage_3\.adaptor\.class_pooling'\)/);
    const beyond = parseCheckpointDocument({ ...document, config: { ...document.config, decoder: { ...document.config.decoder, classPoolingLevels: [3] } } }, 'beyond.json');
    expect(() => createModelFromCheckpoint(beyond, weights, 'beyond.json')).toThrow(CheckpointError);
    expect(() => createModelFromCheckpoint(beyond, weights, 'beyond.json')).toThrow(/beyond\.json: cannot build the architecture in 'config': .*config\.classPoolingLevels\[0\] must be a level index in \[0, 2\]/);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
