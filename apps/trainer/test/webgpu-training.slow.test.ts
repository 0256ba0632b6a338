/**
 * Training on WebGPU (SwiftShader without a GPU): the bench on a few hundred points, and one `lite` step of the
 * default recipe on a whole 50,000-point ScanNet room (`data.pointBudget: all`). Slow tier: SwiftShader runs at
 * well under a GFLOP/s and compiles every shader once per process.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend, startNodeWebGpu } from '@pointclick/tfjs-kernels/node';
import { InteractiveSegmentationModel } from '@pointclick/segmenter';
import { runBench } from '../src/commands/bench-command.js';
import { createSegmenterConfig } from '../src/config/model-presets.js';
import { validateTrainingConfig } from '../src/config/training-config.js';
import { AdamOptimizer } from '../src/training/adam-optimizer.js';
import { createStepContext, runOptimizationStep } from '../src/training/optimization-step.js';
import { loadPreprocessedScenes } from '../src/training/training-data.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES == null && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
const adapter = await startNodeWebGpu().catch((error: unknown) => {
  console.warn(`WebGPU training tests skipped: no WebGPU adapter (${error instanceof Error ? error.message : String(error)}); see DEVELOPERS.md, "WebGPU without a GPU".`);
  return null;
});
const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const roomDirectory = join(sharedData, 'scannet-votenet');
const hasRoom = existsSync(join(roomDirectory, 'scene0001_00_vert.npy'));
if (!hasRoom) console.warn(`whole-room WebGPU step skipped: ${roomDirectory} not found (set POINTCLICK_SHARED_DATA)`);

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-webgpu-training-'));

describe.skipIf(adapter == null)('training on WebGPU', () => {
  beforeAll(async () => {
    const info = await initializeBackend({ preferred: 'webgpu', strict: true });
    expect(info.backend).toBe('webgpu');
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('bench: a tiny step on 600 points, GPU memory from the buffer pool, the matMul ratio', { timeout: 1_800_000 }, async () => {
    const before = tf.memory().numTensors;
    const result = await runBench({ preset: 'tiny', points: 600, steps: 1, warmupSteps: 0, cacheDirectory: join(scratch, 'cache'), matMulSize: 64, log: () => {} });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.backend).toBe('webgpu');
    expect(result.meanPoints).toBeLessThanOrEqual(600);
    expect(result.stepsPerSecond).toBeGreaterThan(0);
    expect(result.phases.forward).toBeGreaterThan(0);
    // The pool holds at least what the live tensors use.
    expect(result.memory.backendBytes).toBeGreaterThanOrEqual(result.memory.gpuBytesInUse ?? Infinity);
    expect(result.memory.gpuBytesInUse).toBeGreaterThan(0);
    expect(result.stepToMatMulRatio).toBeCloseTo((1000 / result.stepsPerSecond) / result.matMul.milliseconds, 6);
  });

  it.skipIf(!hasRoom)('a lite step of the default recipe on a whole 50,000-point room completes, finite, with memory reported', { timeout: 3_600_000 }, async () => {
    // One room, linked into a folder of its own so only it is preprocessed.
    const room = join(scratch, 'room');
    mkdirSync(room, { recursive: true });
    for (const part of ['vert', 'ins_label', 'sem_label']) symlinkSync(join(roomDirectory, `scene0001_00_${part}.npy`), join(room, `scene0001_00_${part}.npy`));
    const config = validateTrainingConfig({
      preset: 'lite',
      gridSize: 0.04,
      seed: 7,
      data: { sources: [{ kind: 'folder', directory: room }], pointBudget: 'all', minClicks: 10, maxClicks: 30, cacheDirectory: join(scratch, 'cache') },
      schedule: { steps: 10, warmupSteps: 0 },
      validation: { everySteps: 0 },
    });
    const segmenterConfig = createSegmenterConfig('lite', config.seed, config.gridSize);
    const scenes = await loadPreprocessedScenes(config.data.sources, { cacheDirectory: config.data.cacheDirectory, voxelSize: segmenterConfig.backbone.gridSize, seed: config.seed });
    const before = tf.memory().numTensors;
    const model = new InteractiveSegmentationModel(segmenterConfig);
    const optimizer = new AdamOptimizer({ weightDecay: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    model.setTraining(true);
    const { report } = await runOptimizationStep(createStepContext(config, scenes, model, optimizer), 0);
    const { figures, gradientNorm, pointCount, memory } = await report;
    // The whole room, uncropped: every occupied 4 cm voxel of its 50,000 points (preprocessing voxelises).
    expect(pointCount).toBe(scenes[0].pointCount);
    expect(pointCount).toBeGreaterThan(20_000);
    expect(Number.isFinite(figures.loss) && figures.loss > 0).toBe(true);
    expect(Number.isFinite(gradientNorm) && gradientNorm > 0).toBe(true);
    expect(memory.backend).toBe('webgpu');
    expect(memory.backendBytes).toBeGreaterThan(memory.tensorBytes);
    console.log(`lite step on a whole room: loss ${figures.loss.toFixed(4)}, ${figures.clickCount} clicks, GPU buffer pool ${(memory.backendBytes! / 1e6).toFixed(1)} MB`);
    model.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
