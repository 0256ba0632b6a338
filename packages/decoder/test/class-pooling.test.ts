import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS_GEOMETRY_CHANNELS, classFeatureChannels, createClickDecoder, DecoderInputError, type ClickDecoder, type ClickDecoderConfig, type DecoderLevel, type DecoderStageOutput } from '../src/index.js';
import { CHANNELS, clicksAt, makeFakeLevels, maxAbsoluteDifference, randomValues, TINY_CONFIG, useBackend, VOXEL_COUNTS } from './decoder-fixtures.js';

/** Three stages, so level 0 is read by no stage and the class pooling's own level handling is covered too. */
const CONFIG: ClickDecoderConfig = { ...TINY_CONFIG, stageCount: 3, stageLevels: [1, 2, 3], maxAttentionKeys: 4096 };
const POOLING_LEVELS = [3, 0];
const POOLING_CHANNELS = CHANNELS[3] + CHANNELS[0];

let levels: DecoderLevel[];

beforeAll(async () => {
  await useBackend('cpu');
  levels = makeFakeLevels(VOXEL_COUNTS, CHANNELS, 5);
});

afterAll(() => {
  for (const level of levels) level.features.dispose();
});

function stageTensors(stages: readonly DecoderStageOutput[]): tf.Tensor[] {
  return stages.flatMap((stage) => [stage.maskLogits, stage.classLogits, ...(stage.queries ? [stage.queries] : []), ...(stage.classFeatures ? [stage.classFeatures] : [])]);
}

/** Sets the class pooling map W of the last stage to random values. */
function randomizePooling(decoder: ClickDecoder, seed: number): void {
  const variable = decoder.namedVariables().get(`stage_${decoder.config.stageCount - 1}.adaptor.class_pooling`)!;
  tf.tidy(() => variable.assign(tf.tensor(randomValues(variable.size, seed, -0.5, 0.5), variable.shape)));
}

describe('class pooling of the last stage (Eq. 6 with mask-pooled features)', () => {
  it('creates W at zero: every stage gives bit for bit what a decoder without class pooling gives', () => {
    const plain = createClickDecoder(CONFIG);
    const pooled = createClickDecoder({ ...CONFIG, classPoolingLevels: POOLING_LEVELS });
    expect([...pooled.namedVariables().keys()].filter((name) => !plain.namedVariables().has(name))).toEqual(['stage_2.adaptor.class_pooling']);
    expect(pooled.namedVariables().get('stage_2.adaptor.class_pooling')!.shape).toEqual([POOLING_CHANNELS, 16]);
    const clicks = clicksAt(levels, [4, 60, 133]);
    const expected = plain.apply({ levels, ...clicks }).stages;
    const actual = pooled.apply({ levels, ...clicks }).stages;
    actual.forEach((stage, index) => {
      expect(Array.from(stage.maskLogits.dataSync())).toEqual(Array.from(expected[index].maskLogits.dataSync()));
      expect(Array.from(stage.classLogits.dataSync())).toEqual(Array.from(expected[index].classLogits.dataSync()));
    });
    tf.dispose(stageTensors([...expected, ...actual]));
    plain.dispose();
    pooled.dispose();
  });

  it('changes only the last stage\'s class logits when W is trained: masks and earlier classes stay bit for bit', () => {
    const plain = createClickDecoder(CONFIG);
    const pooled = createClickDecoder({ ...CONFIG, classPoolingLevels: POOLING_LEVELS });
    randomizePooling(pooled, 17);
    const clicks = clicksAt(levels, [4, 60, 133]);
    const expected = plain.apply({ levels, ...clicks }).stages;
    const actual = pooled.apply({ levels, ...clicks }).stages;
    actual.forEach((stage, index) => {
      expect(Array.from(stage.maskLogits.dataSync())).toEqual(Array.from(expected[index].maskLogits.dataSync()));
      if (index < actual.length - 1) expect(Array.from(stage.classLogits.dataSync())).toEqual(Array.from(expected[index].classLogits.dataSync()));
    });
    expect(maxAbsoluteDifference(actual[2].classLogits.dataSync(), expected[2].classLogits.dataSync())).toBeGreaterThan(1e-3);
    tf.dispose(stageTensors([...expected, ...actual]));
    plain.dispose();
    pooled.dispose();
  });

  it('pools each level\'s raw features over the voxels of the click\'s mask (M > 0), and classifyQueries reproduces the logits', () => {
    const decoder = createClickDecoder({ ...CONFIG, classPoolingLevels: POOLING_LEVELS });
    randomizePooling(decoder, 23);
    const clicks = clicksAt(levels, [9, 71, 120, 139]);
    const stages = decoder.apply({ levels, ...clicks, keepQueries: true }).stages;
    expect(stages.slice(0, 2).every((stage) => stage.classFeatures === undefined)).toBe(true);
    const last = stages[2];
    expect(last.classFeatures!.shape).toEqual([4, POOLING_CHANNELS]);
    // Literally: gather each level to the finest voxels, average over the voxels with a positive mask logit.
    const mask = last.maskLogits.arraySync();
    const features = POOLING_LEVELS.map((level) => levels[level].features.arraySync());
    const pooled = last.classFeatures!.arraySync();
    let checkedVoxels = 0;
    for (let click = 0; click < 4; click++) {
      const inside = mask.flatMap((row, voxel) => (row[click] > 0 ? [voxel] : []));
      checkedVoxels += inside.length;
      const expected = POOLING_LEVELS.flatMap((level, position) =>
        Array.from({ length: CHANNELS[level] }, (_, channel) => {
          const levelOf = (voxel: number) => (level === 3 ? voxel : levels[level].finestToLevel[voxel]);
          return inside.reduce((sum, voxel) => sum + features[position][levelOf(voxel)][channel], 0) / Math.max(inside.length, 1e-6);
        }),
      );
      expect(maxAbsoluteDifference(pooled[click], expected), `click ${click}`).toBeLessThan(1e-4);
    }
    // The random masks are neither empty nor everything, so the check above is not vacuous.
    expect(checkedVoxels).toBeGreaterThan(0);
    expect(checkedVoxels).toBeLessThan(4 * 140);
    const classified = decoder.classifyQueries(2, last.queries!, last.classFeatures);
    expect(maxAbsoluteDifference(classified.dataSync(), last.classLogits.dataSync())).toBeLessThan(1e-5);
    expect(() => decoder.classifyQueries(2, last.queries!)).toThrow(DecoderInputError);
    expect(() => decoder.classifyQueries(2, last.queries!, last.queries)).toThrow(/classFeatures\.shape must be \[4, 32\]/);
    tf.dispose([classified, ...stageTensors(stages)]);
    decoder.dispose();
  });

  it('pools the mask\'s shape with classPoolingGeometry: height above the lowest voxel, spreads, ln(1 + voxels)', () => {
    const decoder = createClickDecoder({ ...CONFIG, classPoolingLevels: [3], classPoolingGeometry: true });
    expect(classFeatureChannels(decoder.config)).toBe(CHANNELS[3] + CLASS_GEOMETRY_CHANNELS);
    const clicks = clicksAt(levels, [9, 71, 120]);
    const stages = decoder.apply({ levels, ...clicks, keepQueries: true }).stages;
    const last = stages[2];
    const mask = last.maskLogits.arraySync();
    const pooled = last.classFeatures!.arraySync();
    const coordinates = levels[3].coordinates;
    let lowest = Infinity;
    for (let voxel = 0; voxel < 140; voxel++) lowest = Math.min(lowest, coordinates[voxel * 3 + 2]);
    for (let click = 0; click < 3; click++) {
      const inside = mask.flatMap((row, voxel) => (row[click] > 0 ? [voxel] : []));
      expect(inside.length, `click ${click}`).toBeGreaterThan(1);
      const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
      const spread = (values: number[]) => Math.sqrt(mean(values.map((value) => (value - mean(values)) ** 2)));
      const axis = (offset: number) => inside.map((voxel) => coordinates[voxel * 3 + offset]);
      const expected = [mean(axis(2)) - lowest, spread(axis(2)), Math.hypot(spread(axis(0)), spread(axis(1))), Math.log1p(inside.length)];
      expect(maxAbsoluteDifference(pooled[click].slice(CHANNELS[3]), expected), `click ${click}`).toBeLessThan(1e-3);
    }
    tf.dispose(stageTensors(stages));
    decoder.dispose();
    expect(() => createClickDecoder({ ...CONFIG, classPoolingGeometry: 'yes' as unknown as boolean })).toThrow(/config\.classPoolingGeometry must be true or false/);
  });

  it('sends a finite, non-zero gradient to W from the last stage\'s class logits', () => {
    const decoder = createClickDecoder({ ...CONFIG, classPoolingLevels: POOLING_LEVELS });
    const pooling = decoder.namedVariables().get('stage_2.adaptor.class_pooling')!;
    const clicks = clicksAt(levels, [9, 71, 120]);
    const { value, grads } = tf.variableGrads(() => {
      const { stages } = decoder.apply({ levels, ...clicks });
      return tf.sum(tf.mul(stages[2].classLogits, tf.tensor2d(randomValues(15, 31), [3, 5]))) as tf.Scalar;
    }, [pooling]);
    const gradient = Array.from(grads[pooling.name].dataSync());
    expect(gradient.every(Number.isFinite)).toBe(true);
    expect(Math.max(...gradient.map(Math.abs))).toBeGreaterThan(1e-6);
    tf.dispose([value, ...Object.values(grads)]);
    decoder.dispose();
  });

  it('leaks no tensor over repeated applies with kept queries and class features', () => {
    const decoder = createClickDecoder({ ...CONFIG, classPoolingLevels: POOLING_LEVELS });
    const clicks = clicksAt(levels, [1, 2, 99]);
    const before = tf.memory().numTensors;
    for (let run = 0; run < 10; run++) {
      const { stages } = decoder.apply({ levels, ...clicks, keepQueries: true });
      // Three stages of mask logits, class logits and queries, and the last stage's class features.
      expect(stageTensors(stages)).toHaveLength(3 * 3 + 1);
      tf.dispose(stageTensors(stages));
      tf.dispose(decoder.apply({ levels, ...clicks }).stages.flatMap((stage) => [stage.maskLogits, stage.classLogits]));
    }
    expect(tf.memory().numTensors).toBe(before);
    decoder.dispose();
  });

  it('rejects class pooling levels that are not distinct level indices with a typed error naming the field', () => {
    expect(() => createClickDecoder({ ...CONFIG, classPoolingLevels: [4] })).toThrow(/config\.classPoolingLevels\[0\] must be a level index in \[0, 3\]/);
    expect(() => createClickDecoder({ ...CONFIG, classPoolingLevels: [3, 3] })).toThrow(/config\.classPoolingLevels\[1\]/);
    expect(() => createClickDecoder({ ...CONFIG, classPoolingLevels: [1.5] })).toThrow(DecoderInputError);
  });
});
