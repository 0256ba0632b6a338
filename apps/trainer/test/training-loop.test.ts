import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { InteractiveSegmentationModel, serializeCheckpoint } from '@pointclick/segmenter';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { createSegmenterConfig } from '../src/config/model-presets.js';
import { validateTrainingConfig, type TrainingConfig } from '../src/config/training-config.js';
import { runTraining } from '../src/training/training-loop.js';
import { runEvaluation } from '../src/commands/evaluate-command.js';
import { exportCheckpoint } from '../src/commands/export-command.js';
import { SHARED_DATA_DIRECTORY, tinyTrainingConfig } from './trainer-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-trainer-'));
const votenetDirectory = join(SHARED_DATA_DIRECTORY, 'scannet-votenet');
const hasVotenet = existsSync(join(votenetDirectory, 'scene0007_00_vert.npy'));
if (!hasVotenet) console.warn(`trainer eval test skipped: ${votenetDirectory} not found (set POINTCLICK_SHARED_DATA)`);

const tinyConfig = (name: string, steps: number): TrainingConfig => tinyTrainingConfig(scratch, name, steps);

beforeAll(async () => {
  await initializeBackend({ preferred: 'wasm', strict: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('training loop', () => {
  it('lowers the loss of a tiny model on one scene and leaks no tensors over 20 steps', async () => {
    const before = tf.memory().numTensors;
    const result = await runTraining(tinyConfig('falls', 20), { log: () => {}, progressBar: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.step).toBe(20);
    const first = result.losses.slice(0, 4).reduce((sum, entry) => sum + entry.loss, 0) / 4;
    const last = result.losses.slice(-4).reduce((sum, entry) => sum + entry.loss, 0) / 4;
    for (const entry of result.losses) expect(Number.isFinite(entry.loss)).toBe(true);
    expect(last).toBeLessThan(first * 0.9);
    const lines = readFileSync(join(scratch, 'falls', 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(20);
    expect(readFileSync(join(scratch, 'falls', 'training-plot.svg'), 'utf8')).toContain('<polyline');
    expect((JSON.parse(readFileSync(join(scratch, 'falls', 'config.resolved.json'), 'utf8')) as { preset: string }).preset).toBe('tiny');
  });

  it('resumes exactly: the next loss after a resume equals the uninterrupted run', async () => {
    const straight = await runTraining(tinyConfig('straight', 4), { log: () => {}, progressBar: false });
    await runTraining(tinyConfig('resumed', 4), { log: () => {}, progressBar: false, stepLimit: 3 });
    const resumed = await runTraining(tinyConfig('resumed', 4), { log: () => {}, progressBar: false, resume: true });
    expect(resumed.step).toBe(4);
    expect(resumed.losses).toHaveLength(1);
    expect(resumed.losses[0].loss).toBeCloseTo(straight.losses[3].loss, 5);
    // Export to float16 for inference: half the bytes, and the same segmentation as the float32 checkpoint.
    const exported = await exportCheckpoint(join(scratch, 'resumed'), join(scratch, 'exported'), 'float16');
    const full = await loadSegmenter(resumed.checkpointDirectory);
    const half = await loadSegmenter(exported.output);
    expect(exported.byteLength * 2).toBe((JSON.parse(readFileSync(join(resumed.checkpointDirectory, 'model.json'), 'utf8')) as { weights: { byteLength: number } }).weights.byteLength);
    const cloud = { pointCount: 400, positions: Float32Array.from({ length: 1200 }, (_, index) => ((index * 7919) % 1000) / 400) };
    const clicks = [{ pointIndex: 3, objectId: 1, kind: 'object' as const }, { pointIndex: 250, objectId: 2, kind: 'object' as const }];
    full.setScene(cloud);
    half.setScene(cloud);
    const fullLabels = full.segment(clicks).instance;
    const halfLabels = half.segment(clicks).instance;
    let agreeing = 0;
    fullLabels.forEach((label, index) => (agreeing += label === halfLabels[index] ? 1 : 0));
    expect(agreeing / fullLabels.length).toBeGreaterThan(0.98);
    full.dispose();
    half.dispose();
    // Inference settings given at export land in the exported config, and are read back by the loader.
    const tuned = await exportCheckpoint(join(scratch, 'resumed'), join(scratch, 'exported-local'), 'float32', {
      objectThreshold: 0.4,
      localityGain: 12,
      superpoints: { clickConstraints: true, pooling: false, scale: 1.2, minimumSize: undefined },
      inputScale: 'auto',
    });
    const tunedSegmenter = await loadSegmenter(tuned.output);
    expect(tunedSegmenter.model.config).toMatchObject({ objectThreshold: 0.4, localityGain: 12, inputScale: 'auto' });
    // Only the superpoint fields given are written.
    expect(tunedSegmenter.model.config.superpoints).toEqual({ clickConstraints: true, pooling: false, scale: 1.2 });
    expect(tunedSegmenter.superpointSettings).toMatchObject({ clickConstraints: true, pooling: false });
    tunedSegmenter.dispose();
  });

  it('writes the inference settings of the config into its checkpoints, and pools the loss with those superpoints', async () => {
    const config = validateTrainingConfig({
      ...tinyConfig('inference-settings', 2),
      inference: { superpoints: { clickConstraints: true, pooling: true, voxelLogitWeight: 0.25, scale: 1.2, minimumSize: 4 }, inputScale: 'auto', geodesicGraph: { flatEdgeFactor: 0.5 } },
      loss: { superpointPooling: true },
    }, 'inference.yaml');
    const result = await runTraining(config, { log: () => {}, progressBar: false });
    for (const entry of result.losses) expect(Number.isFinite(entry.loss)).toBe(true);
    const segmenter = await loadSegmenter(result.checkpointDirectory);
    expect(segmenter.model.config.superpoints).toEqual({ clickConstraints: true, pooling: true, voxelLogitWeight: 0.25, scale: 1.2, minimumSize: 4 });
    expect(segmenter.model.config.inputScale).toBe('auto');
    // The graph field given, over the preset's others.
    expect(segmenter.model.geodesicGraph).toEqual({ neighborCount: 12, colorWeight: 4, flatEdgeFactor: 0.5 });
    segmenter.dispose();
    expect(() => validateTrainingConfig({ inference: { inputScale: -1 } }, 'bad.yaml')).toThrow(/bad\.yaml[\s\S]*inputScale/);
    expect(() => validateTrainingConfig({ inference: { superpoints: { scales: 1 } } }, 'bad.yaml')).toThrow(/scales/);
    expect(() => validateTrainingConfig({ inference: { geodesicGraph: { flatEdgeFactor: 2 } } }, 'bad.yaml')).toThrow(/bad\.yaml[\s\S]*flatEdgeFactor/);
    expect(() => validateTrainingConfig({ inference: { superpoints: { voxelLogitWeight: 1.5 } } }, 'bad.yaml')).toThrow(/bad\.yaml[\s\S]*voxelLogitWeight/);
  });

  it('fine-tunes from the weights of another run, and names the variable when the architectures differ', async () => {
    const source = await runTraining(tinyConfig('fine-tune-source', 3), { log: () => {}, progressBar: false });
    const frozen = { ...tinyConfig('fine-tuned', 1), initialWeights: join(scratch, 'fine-tune-source') };
    // A vanishing learning rate: after its one step the fine-tuned weights must still be the source's.
    frozen.optimizer = { ...frozen.optimizer, learningRate: 1e-12, weightDecay: 0 };
    const lines: string[] = [];
    const tuned = await runTraining(frozen, { log: (line) => lines.push(line), progressBar: false });
    expect(lines.some((line) => line.includes(`initial weights from ${source.checkpointDirectory}`))).toBe(true);
    const fresh = await runTraining(tinyConfig('fine-tune-fresh', 1), { log: () => {}, progressBar: false });
    const weightsOf = async (directory: string) => (await loadSegmenter(directory)).model.namedVariables();
    const [sourceWeights, tunedWeights, freshWeights] = await Promise.all([source, tuned, fresh].map((run) => weightsOf(run.checkpointDirectory)));
    let tunedDifference = 0;
    let freshDifference = 0;
    for (const [path, variable] of sourceWeights) {
      // BatchNorm running statistics move in any training step; the learned weights must not.
      if (!variable.trainable) continue;
      const reference = variable.dataSync();
      const tunedValues = tunedWeights.get(path)!.dataSync();
      const freshValues = freshWeights.get(path)!.dataSync();
      reference.forEach((value, index) => {
        tunedDifference = Math.max(tunedDifference, Math.abs(value - tunedValues[index]));
        freshDifference = Math.max(freshDifference, Math.abs(value - freshValues[index]));
      });
    }
    expect(tunedDifference).toBeLessThan(1e-6);
    expect(freshDifference).toBeGreaterThan(1e-3);
    // The repository's default model is the lite preset: the tiny preset cannot start from it.
    const defaultModel = fileURLToPath(new URL('../../../models/default', import.meta.url));
    const mismatched = { ...tinyConfig('fine-tune-mismatch', 1), initialWeights: defaultModel };
    await expect(runTraining(mismatched, { log: () => {}, progressBar: false })).rejects.toThrow(/initialWeights: .*(variable|shape)/);
  });

  it('with freezeBackbone trains the decoder only: backbone weights and statistics stay, decoder weights move, no leaks', async () => {
    const source = await runTraining(tinyConfig('freeze-source', 2), { log: () => {}, progressBar: false });
    const config = { ...tinyConfig('freeze-tuned', 3), initialWeights: join(scratch, 'freeze-source') };
    config.optimizer = { ...config.optimizer, freezeBackbone: true };
    config.data = { ...config.data, pointBudget: 'all' };
    const before = tf.memory().numTensors;
    const tuned = await runTraining(config, { log: () => {}, progressBar: false });
    expect(tf.memory().numTensors).toBe(before);
    const [sourceWeights, tunedWeights] = await Promise.all([source, tuned].map(async (run) => (await loadSegmenter(run.checkpointDirectory)).model.namedVariables()));
    let backboneDifference = 0;
    let decoderDifference = 0;
    for (const [path, variable] of sourceWeights) {
      const reference = variable.dataSync();
      const values = tunedWeights.get(path)!.dataSync();
      let difference = 0;
      reference.forEach((value, index) => (difference = Math.max(difference, Math.abs(value - values[index]))));
      if (path.startsWith('ptv3')) backboneDifference = Math.max(backboneDifference, difference);
      else decoderDifference = Math.max(decoderDifference, difference);
    }
    expect([...sourceWeights.keys()].some((path) => path.startsWith('ptv3'))).toBe(true);
    expect(backboneDifference).toBe(0);
    expect(decoderDifference).toBeGreaterThan(1e-4);
  });

  it('with decoder.geodesicReach and trainOnly [geodesic_reach] trains the new reach vectors and nothing else', async () => {
    const source = await runTraining(tinyConfig('reach-source', 2), { log: () => {}, progressBar: false });
    const config = { ...tinyConfig('reach-tuned', 3), initialWeights: join(scratch, 'reach-source') };
    config.decoder = { geodesicReach: true };
    config.optimizer = { ...config.optimizer, freezeBackbone: true, trainOnly: ['geodesic_reach'], learningRate: 1e-2 };
    config.data = { ...config.data, pointBudget: 'all' };
    const lines: string[] = [];
    const tuned = await runTraining(config, { log: (line) => lines.push(line), progressBar: false });
    expect(lines.find((line) => line.includes('kept at initialisation'))).toContain('stage_0.adaptor.geodesic_reach');
    const sourceWeights = (await loadSegmenter(source.checkpointDirectory)).model.namedVariables();
    const tunedModel = (await loadSegmenter(tuned.checkpointDirectory)).model;
    expect(tunedModel.decoder.config.geodesicReach).toBe(true);
    const tunedWeights = tunedModel.namedVariables();
    for (const [path, variable] of sourceWeights) {
      expect(Array.from(tunedWeights.get(path)!.dataSync()), path).toEqual(Array.from(variable.dataSync()));
    }
    const reach = tunedWeights.get('click_decoder.stage_0.adaptor.geodesic_reach')!.dataSync();
    expect(Math.max(...Array.from(reach, Math.abs))).toBeGreaterThan(1e-4);
    const unmatched = { ...tinyConfig('reach-unmatched', 1), initialWeights: join(scratch, 'reach-source') };
    unmatched.optimizer = { ...unmatched.optimizer, freezeBackbone: true, trainOnly: ['geodesic_reach'] };
    await expect(runTraining(unmatched, { log: () => {}, progressBar: false })).rejects.toThrow(/optimizer\.trainOnly: 'geodesic_reach' matches no trainable variable/);
  });

  it('fine-tunes a checkpoint without the geodesic click prior into a model with it, the prior starting fresh', async () => {
    const config = createSegmenterConfig('tiny', 3);
    const withoutPrior = new InteractiveSegmentationModel({ ...config, decoder: { ...config.decoder, geodesicPriorLimit: 0 } });
    const { document, weights } = serializeCheckpoint(withoutPrior);
    const sourceDirectory = join(scratch, 'no-geodesic-prior');
    mkdirSync(sourceDirectory, { recursive: true });
    writeFileSync(join(sourceDirectory, 'model.json'), JSON.stringify(document));
    writeFileSync(join(sourceDirectory, 'weights.bin'), weights);
    const lines: string[] = [];
    const tuned = { ...tinyConfig('gains-prior', 1), initialWeights: sourceDirectory };
    tuned.optimizer = { ...tuned.optimizer, learningRate: 1e-12, weightDecay: 0 };
    const run = await runTraining(tuned, { log: (line) => lines.push(line), progressBar: false });
    const kept = lines.find((line) => line.includes('kept at initialisation'));
    expect(kept).toContain('stage_0.adaptor.geodesic_gain');
    expect(kept).not.toContain('prototypes');
    const tunedWeights = (await loadSegmenter(run.checkpointDirectory)).model.namedVariables();
    const sourceWeights = withoutPrior.namedVariables();
    expect(Math.abs(tunedWeights.get('click_decoder.prototypes')!.dataSync()[0] - sourceWeights.get('click_decoder.prototypes')!.dataSync()[0])).toBeLessThan(1e-6);
    expect(tunedWeights.get('click_decoder.stage_0.adaptor.geodesic_gain')!.dataSync()[0]).toBeCloseTo(4, 4);
    withoutPrior.dispose();
  });

  it.skipIf(!hasVotenet)('evaluates a checkpoint and the baseline on one ScanNet room', async () => {
    const run = await runTraining(tinyConfig('for-eval', 2), { log: () => {}, progressBar: false });
    const lines: string[] = [];
    const jsonPath = join(scratch, 'eval', 'table.json');
    const tables = await runEvaluation({
      checkpoint: run.checkpointDirectory,
      data: votenetDirectory,
      scenes: ['scene0007_00'],
      targetObjects: 2,
      clickBudget: 3,
      seed: 1,
      json: jsonPath,
      log: (line) => lines.push(line),
    });
    const written = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<'model' | 'baseline', { iouAt: Record<string, number>; nocAt: Record<string, number>; mAP50: unknown }>;
    for (const method of ['model', 'baseline'] as const) {
      expect(Object.keys(written[method].iouAt).sort()).toEqual(['1', '10', '15', '3', '5']);
      expect(Object.keys(written[method].nocAt).sort()).toEqual(['50', '65', '80', '85', '90']);
      expect(written[method].iouAt['1']).toBeGreaterThanOrEqual(0);
      expect(written[method].iouAt['1']).toBeLessThanOrEqual(100);
      expect(typeof written[method].mAP50).toBe('number');
    }
    expect(tables.baseline?.iouAt['1']).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/IoU@1\s+\d/);
    expect(readFileSync(join(scratch, 'eval', 'agile3d-model.log'), 'utf8')).toMatch(/scene0007_00|0007_00/);

    // Two target draws: each draw's table is that seed's own run, and the tables written are their means.
    const drawsPath = join(scratch, 'eval-draws', 'table.json');
    const common = { checkpoint: run.checkpointDirectory, data: votenetDirectory, scenes: ['scene0007_00'], targetObjects: 2, clickBudget: 3, log: () => {} };
    const draws = await runEvaluation({ ...common, seed: 1, seeds: [1, 2], baseline: false, classes: 'off', json: drawsPath });
    const second = await runEvaluation({ ...common, seed: 2, baseline: false, classes: 'off' });
    const document = JSON.parse(readFileSync(drawsPath, 'utf8')) as { model: { iouAt: Record<string, number> }; perSeed: { seed: number; model: { iouAt: Record<string, number> } }[]; protocol: { seeds: number[] } };
    expect(document.perSeed.map((draw) => draw.seed)).toEqual([1, 2]);
    expect(document.protocol.seeds).toEqual([1, 2]);
    // A 3-click budget: IoU@1 and IoU@3 are measured (the later ones are not reached).
    for (const key of ['1', '3']) {
      expect(document.perSeed[0].model.iouAt[key]).toBe(tables.model!.iouAt[key]);
      expect(document.perSeed[1].model.iouAt[key]).toBe(second.model!.iouAt[key]);
      expect(draws.model!.iouAt[key]).toBeCloseTo((tables.model!.iouAt[key] + second.model!.iouAt[key]) / 2, 10);
    }
    expect(tables.model!.iouAt['1']).not.toBe(second.model!.iouAt['1']); // the draws differ
    expect(readFileSync(join(scratch, 'eval-draws', 'agile3d-model-seed2.log'), 'utf8')).toMatch(/0007_00/);
  }, 420_000); // trains 2 tiny steps, then evaluates model and baseline, then two more draws: it ran past 120 s at load 15 on a 2-core machine
});
