import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { InteractiveSegmentationModel, lowerClickProbability } from '@pointclick/segmenter';
import type { PreprocessedScene } from '@pointclick/datasets';
import { createSegmenterConfig } from '../src/config/model-presets.js';
import { validateTrainingConfig, ConfigError } from '../src/config/training-config.js';
import { isGeneratedSceneId, loadPreprocessedScenes, sampleTrainingStep } from '../src/training/training-data.js';
import { computeStepLoss, drawCorrectionClicks, lowerClickLogits, readStepLosses, type StepLosses } from '../src/training/training-step.js';

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-training-step-'));
const config = validateTrainingConfig({
  preset: 'tiny',
  seed: 5,
  data: {
    sources: [{ kind: 'synthetic-indoor', sceneCount: 1, seed: 21 }],
    pointBudget: 3000,
    minClicks: 4,
    maxClicks: 6,
    backgroundClickShare: 0,
    correctionStepShare: 1,
    correctionRounds: 2,
    cacheDirectory: join(scratch, 'cache'),
  },
});
const weights = { bce: 1, dice: 1, ce: 0.5 };
let scenes: PreprocessedScene[];
let model: InteractiveSegmentationModel;

beforeAll(async () => {
  await initializeBackend({ preferred: 'wasm', strict: true });
  const segmenterConfig = createSegmenterConfig('tiny', config.seed);
  scenes = await loadPreprocessedScenes(config.data.sources, { cacheDirectory: config.data.cacheDirectory, voxelSize: segmenterConfig.backbone.gridSize, seed: config.seed });
  model = new InteractiveSegmentationModel(segmenterConfig);
});
afterAll(() => {
  model?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

describe('correction clicks (AGILE3D iterative training)', () => {
  it('draws 1 to correctionRounds rounds on every step when the share is 1, and none when it is 0', () => {
    const rounds = Array.from({ length: 12 }, (_, step) => sampleTrainingStep(scenes, config, step).correctionRounds);
    for (const count of rounds) expect([1, 2]).toContain(count);
    expect(new Set(rounds).size).toBe(2);
    const without = { ...config, data: { ...config.data, correctionStepShare: 0 } };
    const plain = sampleTrainingStep(scenes, without, 3);
    expect(plain.correctionRounds).toBe(0);
    // The rounds are drawn after the clicks: turning corrections on does not change the sample.
    expect(plain.step).toEqual(sampleTrainingStep(scenes, config, 3).step);
  });

  it('adds clicks where an untrained model errs, each labelled with the true target (or 0) at its point', async () => {
    const { scene, step } = sampleTrainingStep(scenes, config, 0);
    const targets = new Set(step.targetInstanceIds);
    const before = tf.memory().numTensors;
    // computeStepLoss makes its intermediate tensors in the caller's scope; only `terms` outlives the tidy.
    const lossOf = (clicks: typeof step.clicks) => {
      let terms: tf.Tensor1D | undefined;
      const total = tf.tidy(() => {
        const result = computeStepLoss(model, scene, { ...step, clicks }, weights);
        terms = result.terms;
        return result.total;
      });
      return { total, terms: terms! };
    };
    const plain = lossOf(step.clicks);
    const plainLoss = (await plain.total.data())[0];
    tf.dispose([plain.total, plain.terms]);
    const clicks = await drawCorrectionClicks(model, scene, step, 2);
    expect(tf.memory().numTensors).toBe(before);
    const corrected = lossOf(clicks);
    const figures = await readStepLosses(corrected.terms, clicks.length);
    const correctedLoss = (await corrected.total.data())[0];
    corrected.total.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(clicks.slice(0, step.clicks.length)).toEqual(step.clicks);
    const added = clicks.slice(step.clicks.length);
    expect(figures.clickCount).toBe(clicks.length);
    expect(figures.loss).toBeCloseTo(correctedLoss, 5);
    // Each round adds at least one click (an untrained model is wrong somewhere) and at most one per target.
    expect(added.length).toBeGreaterThanOrEqual(2);
    expect(added.length).toBeLessThanOrEqual(2 * targets.size);
    for (const click of added) {
      const id = scene.instance[click.pointIndex];
      expect(click.instanceId).toBe(targets.has(id) ? id : 0);
    }
    expect(Number.isFinite(correctedLoss)).toBe(true);
    expect(correctedLoss).not.toBeCloseTo(plainLoss, 6);
  });

  it('draws the same correction clicks for the same model and sample, and none with 0 rounds', async () => {
    const { scene, step } = sampleTrainingStep(scenes, config, 1);
    const first = await drawCorrectionClicks(model, scene, step, 1);
    const second = await drawCorrectionClicks(model, scene, step, 1);
    expect(first.length).toBeGreaterThan(step.clicks.length);
    expect(second).toEqual(first);
    expect(await drawCorrectionClicks(model, scene, step, 0)).toEqual(step.clicks);
  });

  it('rejects a correction share outside 0..1 and a round count outside 1..10, naming the field', () => {
    expect(() => validateTrainingConfig({ data: { correctionStepShare: 1.5 } }, 'run.yaml')).toThrow(ConfigError);
    expect(() => validateTrainingConfig({ data: { correctionStepShare: 1.5 } }, 'run.yaml')).toThrow(/run\.yaml[\s\S]*data\.correctionStepShare/);
    expect(() => validateTrainingConfig({ data: { correctionRounds: 0 } }, 'run.yaml')).toThrow(/data\.correctionRounds/);
  });
});

describe('object-mask loss (clicks grouped as the segmenter groups them)', () => {
  const withObjects = { ...weights, objectMask: 0.7 };

  it('equals the per-click mask terms when every object has exactly one click', async () => {
    const { scene, step } = sampleTrainingStep(scenes, config, 2);
    const seen = new Set<number>();
    const single = step.clicks.filter((click) => !seen.has(click.instanceId) && seen.add(click.instanceId));
    expect(single.length).toBeLessThan(step.clicks.length); // the drawn step had objects with several clicks
    const before = tf.memory().numTensors;
    const figuresOf = async (lossWeights: typeof withObjects | typeof weights): Promise<StepLosses> => {
      let terms: tf.Tensor1D | undefined;
      tf.tidy(() => {
        const result = computeStepLoss(model, scene, { ...step, clicks: single }, lossWeights);
        terms = result.terms;
        return result.total;
      }).dispose();
      return readStepLosses(terms!, single.length);
    };
    const plain = await figuresOf(weights);
    const grouped = await figuresOf(withObjects);
    expect(plain.objectMask).toBe(0);
    expect(grouped.objectMask).toBeGreaterThan(0);
    expect(grouped.objectMask).toBeCloseTo(weights.bce * grouped.bce + weights.dice * grouped.dice, 4);
    expect(grouped.loss).toBeCloseTo(plain.loss + 0.7 * grouped.objectMask, 4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('scores the group maximum after click locality: a different figure, finite gradients, no leaks', async () => {
    const { scene, step } = sampleTrainingStep(scenes, config, 2);
    const variables = model.trainableVariables();
    const before = tf.memory().numTensors;
    const figureAt = async (localityGain: number) => {
      model.config.localityGain = localityGain;
      try {
        let terms: tf.Tensor1D | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const result = computeStepLoss(model, scene, step, withObjects);
          terms = result.terms;
          return result.total;
        }, variables);
        const norm = tf.tidy(() => tf.addN(Object.values(grads).map((gradient) => tf.sum(tf.square(gradient)))).dataSync()[0]);
        tf.dispose([value, ...Object.values(grads)]);
        const { objectMask } = await readStepLosses(terms!, step.clicks.length);
        return { objectMask, norm };
      } finally {
        delete model.config.localityGain;
      }
    };
    const plain = await figureAt(0);
    const local = await figureAt(50);
    for (const { objectMask, norm } of [plain, local]) {
      expect(Number.isFinite(objectMask) && objectMask > 0).toBe(true);
      expect(Number.isFinite(norm) && norm > 0).toBe(true);
    }
    // Several clicks per object: the grouped masks are not the per-click ones, and locality changes them.
    expect(local.objectMask).not.toBeCloseTo(plain.objectMask, 4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a negative object-mask weight and locality gain, naming the field', () => {
    expect(() => validateTrainingConfig({ loss: { objectMask: -1 } }, 'run.yaml')).toThrow(/run\.yaml[\s\S]*loss\.objectMask/);
    expect(() => validateTrainingConfig({ localityGain: -3 }, 'run.yaml')).toThrow(/run\.yaml[\s\S]*localityGain/);
    expect(() => validateTrainingConfig({ preset: 'base', localityGain: 8 }, 'run.yaml')).toThrow(/localityGain: 8 needs the geodesic click prior, which preset 'base' has not/);
    expect(createSegmenterConfig('tiny', 1, undefined, 12).localityGain).toBe(12);
    expect(createSegmenterConfig('tiny', 1).localityGain).toBeUndefined();
  });
});

describe('superpoint-pooled mask losses (loss.superpointPooling)', () => {
  it('scores pooled mask logits: other BCE and Dice, the same CE, finite gradients, no leaks', async () => {
    const { scene, step } = sampleTrainingStep(scenes, config, 1);
    const variables = model.trainableVariables();
    const before = tf.memory().numTensors;
    const run = async (superpointPooling: boolean) => {
      let terms: tf.Tensor1D | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const result = computeStepLoss(model, scene, step, { ...weights, superpointPooling });
        terms = result.terms;
        return result.total;
      }, variables);
      const norm = tf.tidy(() => tf.addN(Object.values(grads).map((gradient) => tf.sum(tf.square(gradient)))).dataSync()[0]);
      tf.dispose([value, ...Object.values(grads)]);
      return { figures: await readStepLosses(terms!, step.clicks.length), norm };
    };
    const plain = await run(false);
    const pooled = await run(true);
    expect(Number.isFinite(pooled.norm) && pooled.norm > 0).toBe(true);
    expect(pooled.figures.ce).toBeCloseTo(plain.figures.ce, 5);
    expect(pooled.figures.bce).not.toBeCloseTo(plain.figures.bce, 4);
    expect(pooled.figures.dice).not.toBeCloseTo(plain.figures.dice, 4);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => validateTrainingConfig({ loss: { superpointPooling: 'yes' } }, 'run.yaml')).toThrow(/run\.yaml[\s\S]*loss\.superpointPooling/);
  });
});

describe('click locality: one rule for the segmenter and the object-mask loss', () => {
  it('lowers logits exactly as the segmenter lowers probabilities, saturated ones included', () => {
    const logits = [30, 30, 2, -3, -40, 16.5];
    const penalties = [20, 0, 1.5, 0, 5, 0.25];
    const lowered = tf.tidy(() => tf.sigmoid(lowerClickLogits(tf.tensor2d(logits, [3, 2]), tf.tensor2d(penalties, [3, 2]))).dataSync());
    logits.forEach((logit, entry) => {
      const probability = Math.fround(1 / (1 + Math.exp(-logit))); // the float32 sigmoid the segmenter reads
      expect(lowered[entry]).toBeCloseTo(lowerClickProbability(probability, penalties[entry]), 6);
    });
    // A saturated far click (logit 30, float32 sigmoid exactly 1) loses to the clamp: sigmoid(16.12 − 20) < 0.5.
    expect(lowered[0]).toBeLessThan(0.05);
    // Without a penalty the logit is untouched, even beyond the clamp.
    expect(lowered[1]).toBe(Math.fround(1 / (1 + Math.exp(-30))));
  });
});

describe('Mix3D samples (data.mixShare)', () => {
  const mixConfig = validateTrainingConfig({
    preset: 'tiny',
    seed: 7,
    data: {
      sources: [{ kind: 'synthetic-indoor', sceneCount: 3, seed: 31 }],
      pointBudget: 3000,
      minClicks: 4,
      maxClicks: 6,
      backgroundClickShare: 0,
      cacheDirectory: join(scratch, 'mix-cache'),
    },
  });
  const withShare = (mixShare: number) => ({ ...mixConfig, data: { ...mixConfig.data, mixShare } });
  let mixScenesList: PreprocessedScene[];

  beforeAll(async () => {
    const segmenterConfig = createSegmenterConfig('tiny', mixConfig.seed);
    mixScenesList = await loadPreprocessedScenes(mixConfig.data.sources, { cacheDirectory: mixConfig.data.cacheDirectory, voxelSize: segmenterConfig.backbone.gridSize, seed: mixConfig.seed });
  });

  it('is off by default, and with share 1 overlays two different scenes of half the budget each on every step', () => {
    expect(mixConfig.data.mixShare).toBe(0);
    for (let stepIndex = 0; stepIndex < 6; stepIndex++) {
      expect(sampleTrainingStep(mixScenesList, mixConfig, stepIndex).scene.id).not.toContain('+');
      const { scene, step } = sampleTrainingStep(mixScenesList, withShare(1), stepIndex);
      const [firstId, secondId] = scene.id.split('+');
      expect(secondId).toBeDefined();
      expect(secondId).not.toBe(firstId);
      expect(scene.pointCount).toBeLessThanOrEqual(3000);
      expect(scene.pointCount).toBeGreaterThan(1500);
      for (const click of step.clicks) expect(scene.instance[click.pointIndex]).toBe(click.instanceId);
      // The same step again: the same sample.
      expect(sampleTrainingStep(mixScenesList, withShare(1), stepIndex).step).toEqual(step);
    }
  });

  it("with mixScope 'folders' mixes only dataset folders' scans, with each other, and never a generated room", () => {
    expect(isGeneratedSceneId('synthetic-indoor-31')).toBe(true);
    expect(isGeneratedSceneId('synthetic-outdoor-5000')).toBe(true);
    expect(isGeneratedSceneId('scene0000_00')).toBe(false);
    // Two of the three rooms stand in for scans read from a folder (any id the generators do not make).
    const scenesWithScans = mixScenesList.map((scene, index) => (index < 2 ? { ...scene, id: `scan-${index}` } : scene));
    const foldersOnly = { ...withShare(1), data: { ...withShare(1).data, mixScope: 'folders' as const } };
    let mixedSteps = 0;
    for (let stepIndex = 0; stepIndex < 12; stepIndex++) {
      const { scene } = sampleTrainingStep(scenesWithScans, foldersOnly, stepIndex);
      const parts = scene.id.split('+');
      if (parts.length === 1) {
        expect(isGeneratedSceneId(scene.id)).toBe(true);
        continue;
      }
      mixedSteps++;
      expect(parts.sort()).toEqual(['scan-0', 'scan-1']);
    }
    expect(mixedSteps).toBeGreaterThan(0);
    expect(mixedSteps).toBeLessThan(12);
  });

  it('draws the mixing from a stream of its own: steps left unmixed are exactly the samples of a run without it', () => {
    let unmixed = 0;
    let mixed = 0;
    for (let stepIndex = 0; stepIndex < 16; stepIndex++) {
      const half = sampleTrainingStep(mixScenesList, withShare(0.5), stepIndex);
      if (half.scene.id.includes('+')) {
        mixed++;
        continue;
      }
      unmixed++;
      const plain = sampleTrainingStep(mixScenesList, mixConfig, stepIndex);
      expect(half.scene.id).toBe(plain.scene.id);
      expect(half.scene.positions).toEqual(plain.scene.positions);
      expect(half.step).toEqual(plain.step);
    }
    expect(mixed).toBeGreaterThan(0);
    expect(unmixed).toBeGreaterThan(0);
  });
});

describe('stronger augmentation (data.augmentation)', () => {
  const base = {
    preset: 'tiny',
    seed: 7,
    data: {
      sources: [{ kind: 'synthetic-indoor', sceneCount: 2, seed: 31 }],
      pointBudget: 3000,
      minClicks: 4,
      maxClicks: 6,
      backgroundClickShare: 0,
      cacheDirectory: join(scratch, 'augmentation-cache'),
    },
  };
  const plainConfig = validateTrainingConfig(base);
  const augmentedConfig = validateTrainingConfig({
    ...base,
    data: { ...base.data, augmentation: { tiltRange: 0.05, elasticDistortion: [[0.2, 0.4]], colorChannelShiftRange: 12.75, colorNoiseDeviation: 12.75, autoContrastProbability: 0.2 } },
  });
  let scenes: PreprocessedScene[];

  beforeAll(async () => {
    const segmenterConfig = createSegmenterConfig('tiny', plainConfig.seed);
    scenes = await loadPreprocessedScenes(plainConfig.data.sources, { cacheDirectory: plainConfig.data.cacheDirectory, voxelSize: segmenterConfig.backbone.gridSize, seed: plainConfig.seed });
  });

  it('is empty by default and reaches augmentScene: the same scene and crop, other positions and colours', () => {
    expect(plainConfig.data.augmentation).toEqual({});
    for (let stepIndex = 0; stepIndex < 3; stepIndex++) {
      const plain = sampleTrainingStep(scenes, plainConfig, stepIndex);
      const strong = sampleTrainingStep(scenes, augmentedConfig, stepIndex);
      expect(strong.scene.id).toBe(plain.scene.id);
      expect(strong.scene.sourceIndices).toEqual(plain.scene.sourceIndices);
      expect(strong.scene.positions).not.toEqual(plain.scene.positions);
      expect(strong.scene.colors).not.toEqual(plain.scene.colors);
      for (const click of strong.step.clicks) expect(strong.scene.instance[click.pointIndex]).toBe(click.instanceId);
    }
  });

  it("with augmentationScope 'folders' augments dataset folders' scans only: generated rooms draw the plain samples", () => {
    expect(augmentedConfig.data.augmentationScope).toBe('all');
    const foldersOnly = { ...augmentedConfig, data: { ...augmentedConfig.data, augmentationScope: 'folders' as const } };
    // The first room stands in for a scan read from a folder (any id the generators do not make).
    const scenesWithScan = scenes.map((scene, index) => (index === 0 ? { ...scene, id: 'scan-0' } : scene));
    const seen = new Set<string>();
    for (let stepIndex = 0; stepIndex < 6; stepIndex++) {
      const scoped = sampleTrainingStep(scenesWithScan, foldersOnly, stepIndex);
      const reference = sampleTrainingStep(scenesWithScan, isGeneratedSceneId(scoped.scene.id) ? plainConfig : augmentedConfig, stepIndex);
      seen.add(scoped.scene.id);
      expect(scoped.scene.id).toBe(reference.scene.id);
      expect(scoped.scene.positions).toEqual(reference.scene.positions);
      expect(scoped.scene.colors).toEqual(reference.scene.colors);
      expect(scoped.step).toEqual(reference.step);
    }
    expect([...seen].sort()).toEqual(['scan-0', 'synthetic-indoor-32']);
    expect(() => validateTrainingConfig({ ...base, data: { ...base.data, augmentationScope: 'generated' } })).toThrow(/data\.augmentationScope/);
  });

  it('rejects an unknown field or a bad value, naming it', () => {
    expect(() => validateTrainingConfig({ ...base, data: { ...base.data, augmentation: { elastic: [[0.2, 0.4]] } } })).toThrow(ConfigError);
    expect(() => validateTrainingConfig({ ...base, data: { ...base.data, augmentation: { tiltRange: -1 } } })).toThrow(/data\.augmentation\.tiltRange/);
    expect(() => validateTrainingConfig({ ...base, data: { ...base.data, augmentation: { elasticDistortion: [[0.2]] } } })).toThrow(/data\.augmentation\.elasticDistortion/);
  });
});
