import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModelFromCheckpoint, parseCheckpointDocument, serializeCheckpoint, Segmenter } from '../src/index.js';
import type { Click, InteractiveSegmentationModel, SegmentationResult } from '../src/index.js';
import { createTestConfig, createTestModel, expectCheckpointRoundTrip, makeRoomCloud, useCpuBackend, VOXEL_LEVEL } from './segmenter-fixtures.js';

const cloud = makeRoomCloud(800, 29);
const clicks: Click[] = [
  { pointIndex: 7, objectId: 1, kind: 'object' },
  { pointIndex: cloud.boxPointCount + 11, objectId: 2, kind: 'object' },
  { pointIndex: 2 * cloud.boxPointCount + 35, objectId: 1, kind: 'background' },
];
const REACH_NAMES = [0, 1, 2, 3].map((stage) => `click_decoder.stage_${stage}.adaptor.geodesic_reach`);

/** The test model with the geodesic click prior, with or without the click-dependent reach. */
function priorModel(seed: number, reach: boolean): InteractiveSegmentationModel {
  const config = createTestConfig(seed);
  return createTestModel(seed, { decoder: { ...config.decoder, geodesicPriorLimit: 2, geodesicReach: reach } });
}

/** Voxel-level labels (superpoints off, so the masks decide every point) and each object's class probabilities. */
function segmentOnce(model: InteractiveSegmentationModel): SegmentationResult {
  const segmenter = new Segmenter(model, VOXEL_LEVEL);
  segmenter.setScene(cloud);
  const result = segmenter.segment(clicks);
  segmenter.clearScene();
  return result;
}

beforeAll(async () => {
  await useCpuBackend();
});

describe('checkpoints and inference with the click-dependent geodesic reach (decoder geodesicReach)', () => {
  it('segments exactly as the plain prior while r is zero, and differently once it is not', () => {
    const plain = priorModel(17, false);
    const reach = priorModel(17, true);
    const expected = segmentOnce(plain);
    const zero = segmentOnce(reach);
    expect([...zero.instance]).toEqual([...expected.instance]);
    expect(zero.objects.map((object) => [...object.classProbabilities])).toEqual(expected.objects.map((object) => [...object.classProbabilities]));
    // Large reach factors: every click's gain scaled by up to e^±2 changes the masks of this random model.
    for (const name of REACH_NAMES) {
      const variable = reach.namedVariables().get(name)!;
      tf.tidy(() => variable.assign(tf.randomUniform(variable.shape, -3, 3, 'float32', 5)));
    }
    const scaled = segmentOnce(reach);
    const changed = scaled.instance.reduce((count, label, point) => count + (label === expected.instance[point] ? 0 : 1), 0);
    expect(changed).toBeGreaterThan(0);
    plain.dispose();
    reach.dispose();
  });

  it('round-trips: the config says geodesicReach, the weights hold r, and the reloaded model segments identically', () => {
    const source = priorModel(17, true);
    for (const name of REACH_NAMES) {
      const variable = source.namedVariables().get(name)!;
      tf.tidy(() => variable.assign(tf.randomUniform(variable.shape, -1, 1, 'float32', 9)));
    }
    const document = expectCheckpointRoundTrip(source, 'reach.json', segmentOnce);
    expect(document.config.decoder.geodesicReach).toBe(true);
    for (const name of REACH_NAMES) expect(document.weights.manifest.some((entry) => entry.name === name)).toBe(true);
  });

  it('refuses a document that claims the reach while its weights predate it, naming the missing weight', () => {
    const plain = priorModel(17, false);
    const { document, weights } = serializeCheckpoint(plain);
    plain.dispose();
    const claimed = parseCheckpointDocument({ ...document, config: { ...document.config, decoder: { ...document.config.decoder, geodesicReach: true } } }, 'claimed.json');
    expect(() => createModelFromCheckpoint(claimed, weights, 'claimed.json')).toThrow(/claimed\.json: .*missing 4 \(first: 'click_decoder\.stage_0\.adaptor\.geodesic_reach'\)/);
  });
});
