import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { collectScenes, readDataset } from '@pointclick/datasets/node';
import type { LabeledScene } from '@pointclick/datasets';
import * as tf from '@tensorflow/tfjs-core';
import { scaleProbabilities } from '@pointclick/metrics';
import { calibrateClassLogits, InteractiveSegmentationModel } from '@pointclick/segmenter';
import { loadSegmenter, saveCheckpoint } from '@pointclick/segmenter/node';
import { createSegmenterConfig } from '../src/config/model-presets.js';
import { runCalibration } from '../src/commands/calibrate-command.js';
import { applyInferenceSettings } from '../src/commands/inference-settings.js';
import { computeLogitAdjustment, countClassInstances } from '../src/training/class-prior.js';
import { loadLabeledScenes } from '../src/training/training-data.js';

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-trainer-prior-'));
const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenetDirectory = join(sharedData, 'scannet-votenet');
const priorScene = 'scene0005_00';
const selectionScene = 'scene0004_00';
const hasVotenet = [priorScene, selectionScene].every((scene) => existsSync(join(votenetDirectory, `${scene}_vert.npy`)));
if (!hasVotenet) console.warn(`trainer class-prior calibration tests SKIPPED: ${votenetDirectory} lacks ${selectionScene} / ${priorScene} (set POINTCLICK_SHARED_DATA)`);

beforeAll(async () => {
  await initializeBackend({ preferred: 'cpu', strict: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A scene of instances given as [point count, semantic class] (each instance's points all of its class). */
function makeScene(id: string, instances: Array<[number, number]>): LabeledScene {
  const pointCount = instances.reduce((sum, [count]) => sum + count, 0);
  const instance = new Int32Array(pointCount);
  const semantic = new Int32Array(pointCount);
  let offset = 0;
  instances.forEach(([count, classIndex], index) => {
    instance.fill(index + 1, offset, offset + count);
    semantic.fill(classIndex, offset, offset + count);
    offset += count;
  });
  return { id, cloud: { pointCount, positions: new Float32Array(pointCount * 3), instance, semantic }, classNames: [], semanticClassMap: {} };
}

describe('class prior and logit adjustment', () => {
  it('counts instances of ≥ the minimum points by their majority class, leaving out unlabelled and unknown classes', async () => {
    const scenes = [
      makeScene('a', [[400, 2], [400, 2], [299, 3], [500, 0], [600, 9]]),
      makeScene('b', [[300, 3], [1000, 1]]),
    ];
    // An instance of mixed classes counts once, for its majority.
    scenes[1].cloud.semantic.fill(2, 300, 450);
    const prior = await countClassInstances(scenes, 4, 300);
    expect(prior.counts).toEqual([0, 1, 2, 1]);
    expect(prior.total).toBe(4);
    expect(prior.sceneIds).toEqual(['a', 'b']);
  });

  it('gives −τ·ln p_c with the Laplace prior, shifted to mean 0, and no bias at τ = 0', () => {
    const counts = [0, 6, 2, 1];
    expect(computeLogitAdjustment(counts, 0)).toEqual([0, 0, 0, 0]);
    const bias = computeLogitAdjustment(counts, 1);
    // p = (n + 1) / (N + C) = [1, 7, 3, 2] / 13.
    const raw = [1, 7, 3, 2].map((count) => -Math.log(count / 13));
    const mean = raw.reduce((sum, value) => sum + value, 0) / raw.length;
    raw.forEach((value, index) => expect(bias[index]).toBeCloseTo(value - mean, 12));
    expect(bias.reduce((sum, value) => sum + value, 0)).toBeCloseTo(0, 12);
    // The most frequent class is pushed down the most; twice the strength, twice the bias.
    expect(Math.min(...bias)).toBe(bias[1]);
    computeLogitAdjustment(counts, 2).forEach((value, index) => expect(value).toBeCloseTo(2 * bias[index], 12));
    expect(() => computeLogitAdjustment(counts, -1)).toThrow(/strength τ must be a finite number ≥ 0, got -1/);
    expect(() => computeLogitAdjustment([1, 0.5], 1)).toThrow(/counts must be non-negative integers/);
  });
});

describe('the fit and the segmenter calibrate alike', () => {
  it("metrics' scaleProbabilities with a bias equals the softmax of the segmenter's calibrateClassLogits", () => {
    const probabilities = [0.55, 0.25, 0.15, 0.05];
    const calibration = { temperature: 1.4, classBias: [-0.8, 0.1, 0.3, 0.4] };
    const fitted = scaleProbabilities(probabilities, calibration.temperature, calibration.classBias);
    const shown = tf.tidy(() => tf.softmax(calibrateClassLogits(tf.log(tf.tensor2d([probabilities])), calibration)).arraySync() as number[][])[0];
    shown.forEach((value, index) => expect(value).toBeCloseTo(fitted[index], 6));
    // The bias moved the shown class away from the most probable raw class.
    expect(shown.indexOf(Math.max(...shown))).not.toBe(0);
  });
});

describe('inference settings over a class bias', () => {
  it('lets --temperature replace the temperature only, and remove the calibration only when no bias is stored', () => {
    const config = createSegmenterConfig('tiny', 5);
    const classBias = config.classNames.map((_, index) => (index % 2 === 0 ? 0.5 : -0.5));
    config.calibration = { temperature: 1.3, classBias };
    applyInferenceSettings(config, { temperature: 2 });
    expect(config.calibration).toEqual({ temperature: 2, classBias });
    applyInferenceSettings(config, { temperature: 1 });
    expect(config.calibration).toEqual({ temperature: 1, classBias });
    config.calibration = { temperature: 1.3 };
    applyInferenceSettings(config, { temperature: 1 });
    expect(config.calibration).toBeUndefined();
  });
});

describe.skipIf(!hasVotenet)('calibrate with a class prior on ScanNet rooms', () => {
  it('writes the bias of the prior rooms, fits the temperature with it, and gives today’s calibration at τ = 0', async () => {
    const model = new InteractiveSegmentationModel(createSegmenterConfig('tiny', 5));
    const checkpoint = join(scratch, 'tiny');
    await saveCheckpoint(model, checkpoint);
    const classCount = model.config.classNames.length;
    model.dispose();
    const common = { checkpoint, data: votenetDirectory, scenes: [selectionScene], log: () => {} };
    const without = await runCalibration({ ...common, dryRun: true });
    // Only scene0005_00 is counted: every other scene is left out (the selection scene is, always).
    const listed = readdirSync(votenetDirectory).filter((name) => name.endsWith('_vert.npy')).map((name) => name.slice(0, -'_vert.npy'.length));
    const priorExclude = listed.filter((id) => id !== priorScene);
    const atZero = await runCalibration({ ...common, dryRun: true, priorData: votenetDirectory, priorExclude, priorStrength: 0 });
    expect(atZero.classBias).toBeUndefined();
    expect(atZero.temperature).toBe(without.temperature);
    expect(atZero.after).toEqual(without.after);

    const lines: string[] = [];
    const result = await runCalibration({ ...common, priorData: votenetDirectory, priorExclude, priorStrength: 1, log: (line) => lines.push(line) });
    const expectedPrior = await countClassInstances(readDataset(votenetDirectory, { sceneIds: [priorScene] }), classCount);
    expect(result.prior?.sceneIds).toEqual([priorScene]);
    expect(result.prior?.counts).toEqual(expectedPrior.counts);
    const expectedBias = computeLogitAdjustment(expectedPrior.counts, 1);
    expect(result.classBias).toHaveLength(classCount);
    result.classBias!.forEach((value, index) => expect(value).toBeCloseTo(expectedBias[index], 4));
    expect(lines.join('\n')).toMatch(/class prior: \d+ instances in 1 scenes \(scene0005_00\)/);
    expect(lines.join('\n')).toMatch(/class bias \(τ 1, logits, mean 0\): unlabeled/);
    const loaded = await loadSegmenter(checkpoint);
    expect(loaded.model.config.calibration).toEqual({ temperature: result.temperature, classBias: result.classBias });
    loaded.dispose();
  }, 240_000);

  it("counts the prior over exactly the training data the checkpoint's provenance records (--prior-provenance)", async () => {
    const trainedOn = [
      { dataset: 'scannet-votenet', scenes: [priorScene, selectionScene] },
      { dataset: 'synthetic-indoor', seeds: { first: 1000, last: 1001 } },
    ];
    const model = new InteractiveSegmentationModel({ ...createSegmenterConfig('tiny', 5), provenance: { trainedOn } });
    const checkpoint = join(scratch, 'tiny-with-provenance');
    await saveCheckpoint(model, checkpoint);
    const classCount = model.config.classNames.length;
    model.dispose();
    const common = { checkpoint, data: votenetDirectory, scenes: [selectionScene], dryRun: true, log: () => {} };
    const result = await runCalibration({ ...common, priorProvenance: sharedData, priorStrength: 0.5 });
    // The selection scene is left out although it was trained on; the generated rooms are regenerated from their seeds.
    expect(result.prior?.sceneIds).toEqual([priorScene, 'synthetic-indoor-1000', 'synthetic-indoor-1001']);
    const expected = await countClassInstances(
      [...(await collectScenes(readDataset(votenetDirectory, { sceneIds: [priorScene] }))), ...(await loadLabeledScenes([{ kind: 'synthetic-indoor', sceneCount: 2, seed: 1000 }]))],
      classCount,
    );
    expect(result.prior?.counts).toEqual(expected.counts);
    const expectedBias = computeLogitAdjustment(expected.counts, 0.5);
    result.classBias!.forEach((value, index) => expect(value).toBeCloseTo(expectedBias[index], 4));

    await expect(runCalibration({ ...common, priorProvenance: sharedData, priorData: votenetDirectory, priorStrength: 1 })).rejects.toThrow(/--prior-data or --prior-provenance, not both/);
    const bare = join(scratch, 'tiny-without-provenance');
    const unrecorded = new InteractiveSegmentationModel(createSegmenterConfig('tiny', 5));
    await saveCheckpoint(unrecorded, bare);
    unrecorded.dispose();
    await expect(runCalibration({ ...common, checkpoint: bare, priorProvenance: sharedData, priorStrength: 1 })).rejects.toThrow(/records no training data/);
    const missing = new InteractiveSegmentationModel({ ...createSegmenterConfig('tiny', 5), provenance: { trainedOn: [{ dataset: 'scannet-votenet', scenes: [priorScene, 'scene9999_00'] }] } });
    const withMissing = join(scratch, 'tiny-missing-scene');
    await saveCheckpoint(missing, withMissing);
    missing.dispose();
    await expect(runCalibration({ ...common, checkpoint: withMissing, priorProvenance: sharedData, priorStrength: 1 })).rejects.toThrow(/training scene\(s\) scene9999_00 of .* not found in .*scannet-votenet/);
    const partial = new InteractiveSegmentationModel({ ...createSegmenterConfig('tiny', 5), provenance: { trainedOn, unknownSources: ['foreign.safetensors'] } });
    const withUnknown = join(scratch, 'tiny-unknown-sources');
    await saveCheckpoint(partial, withUnknown);
    partial.dispose();
    await expect(runCalibration({ ...common, checkpoint: withUnknown, priorProvenance: sharedData, priorStrength: 1 })).rejects.toThrow(/does not record \(foreign\.safetensors\)/);
  }, 240_000);
});
